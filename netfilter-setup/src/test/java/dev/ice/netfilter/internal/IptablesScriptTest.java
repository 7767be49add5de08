package dev.ice.netfilter.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ice.netfilter.SamplePlans;
import org.junit.jupiter.api.Test;

class IptablesScriptTest {

    private static final InterceptionRules RULES = InterceptionRules.from(SamplePlans.bothRolesWithIpv6());

    private static final SavedNatTable NOTHING = SavedNatTable.parse("");

    @Test
    void aFirstIpv4InstallFillsBothChainsAndInsertsBothJumps() {
        assertEquals("""
            *nat
            :ICE_INBOUND - [0:0]
            :ICE_OUTPUT - [0:0]
            -A ICE_INBOUND -p tcp -m tcp --dport 8080 -j REDIRECT --to-ports 15006
            -A ICE_INBOUND -p tcp -m tcp --dport 9090 -j REDIRECT --to-ports 15006
            -A ICE_OUTPUT -m mark --mark 0x1ce -j RETURN
            -A ICE_OUTPUT -d 127.0.0.0/8 -j RETURN
            -A ICE_OUTPUT -d 198.18.0.64/26 -j RETURN
            -A ICE_OUTPUT -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 15001
            -A ICE_OUTPUT -p tcp -m tcp --dport 443 -j REDIRECT --to-ports 15001
            -I PREROUTING 1 -j ICE_INBOUND
            -I OUTPUT 1 -j ICE_OUTPUT
            COMMIT
            """, IptablesScript.install(RULES, IpFamily.IPV4, NOTHING));
    }

    @Test
    void theIpv6BatchGetsOnlyIpv6Networks() {
        assertEquals("""
            *nat
            :ICE_INBOUND - [0:0]
            :ICE_OUTPUT - [0:0]
            -A ICE_INBOUND -p tcp -m tcp --dport 8080 -j REDIRECT --to-ports 15006
            -A ICE_INBOUND -p tcp -m tcp --dport 9090 -j REDIRECT --to-ports 15006
            -A ICE_OUTPUT -m mark --mark 0x1ce -j RETURN
            -A ICE_OUTPUT -d ::1/128 -j RETURN
            -A ICE_OUTPUT -d 2001:db8:ff::/48 -j RETURN
            -A ICE_OUTPUT -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 15001
            -A ICE_OUTPUT -p tcp -m tcp --dport 443 -j REDIRECT --to-ports 15001
            -I PREROUTING 1 -j ICE_INBOUND
            -I OUTPUT 1 -j ICE_OUTPUT
            COMMIT
            """, IptablesScript.install(RULES, IpFamily.IPV6, NOTHING));
    }

    @Test
    void aSecondInstallKeepsTheJumpsAndOnlyRefillsTheChains() {
        SavedNatTable installed = SavedNatTable.parse("""
            *nat
            :PREROUTING ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :ICE_INBOUND - [0:0]
            :ICE_OUTPUT - [0:0]
            -A PREROUTING -j ICE_INBOUND
            -A OUTPUT -j ICE_OUTPUT
            -A ICE_OUTPUT -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 15001
            COMMIT
            """);

        String batch = IptablesScript.install(RULES, IpFamily.IPV4, installed);

        assertEquals(":ICE_OUTPUT - [0:0]", batch.lines().toList().get(2));
        assertEquals("-A ICE_OUTPUT -p tcp -m tcp --dport 443 -j REDIRECT --to-ports 15001\nCOMMIT\n",
            batch.substring(batch.indexOf("-A ICE_OUTPUT -p tcp -m tcp --dport 443")));
    }

    @Test
    void duplicateJumpsLeftByACrashAreAllDeletedAndOneIsInserted() {
        SavedNatTable crashed = SavedNatTable.parse("""
            *nat
            :ICE_INBOUND - [0:0]
            :ICE_OUTPUT - [0:0]
            -A PREROUTING -j ICE_INBOUND
            -A OUTPUT -j ICE_OUTPUT
            -A OUTPUT -p tcp -j ICE_OUTPUT
            COMMIT
            """);

        String batch = IptablesScript.install(RULES, IpFamily.IPV4, crashed);

        assertEquals("-D OUTPUT -j ICE_OUTPUT\n-D OUTPUT -p tcp -j ICE_OUTPUT\n-I OUTPUT 1 -j ICE_OUTPUT\nCOMMIT\n",
            batch.substring(batch.indexOf("-D OUTPUT")));
    }

    @Test
    void removalDeletesTheJumpsBeforeTheChainsTheyReferTo() {
        SavedNatTable installed = SavedNatTable.parse("""
            *nat
            :ICE_INBOUND - [0:0]
            :ICE_OUTPUT - [0:0]
            -A PREROUTING -j ICE_INBOUND
            -A OUTPUT -d 198.18.0.77/32 -j RETURN
            -A OUTPUT -j ICE_OUTPUT
            -A ICE_OUTPUT -m mark --mark 0x1ce -j RETURN
            COMMIT
            """);

        assertEquals("""
            *nat
            -D PREROUTING -j ICE_INBOUND
            -D OUTPUT -j ICE_OUTPUT
            -F ICE_INBOUND
            -X ICE_INBOUND
            -F ICE_OUTPUT
            -X ICE_OUTPUT
            COMMIT
            """, IptablesScript.remove(installed));
    }

    @Test
    void removalOfNothingIsNoBatchAtAll() {
        assertEquals("", IptablesScript.remove(NOTHING));
        assertEquals("", IptablesScript.remove(SavedNatTable.parse("*nat\n-A OUTPUT -j RETURN\nCOMMIT\n")));
    }

    @Test
    void showPicksIcesChainsJumpsAndRulesOutOfTheNatTable() {
        SavedNatTable saved = SavedNatTable.parse("""
            *nat
            :PREROUTING ACCEPT [3:180]
            :OUTPUT ACCEPT [0:0]
            :ICE_OUTPUT - [0:0]
            -A OUTPUT -j ICE_OUTPUT
            -A OUTPUT -d 198.18.0.77/32 -j RETURN
            -A ICE_OUTPUT -m mark --mark 0x1ce -j RETURN
            COMMIT
            """);

        assertEquals("""
            *nat
            :ICE_OUTPUT - [0:0]
            -A OUTPUT -j ICE_OUTPUT
            -A ICE_OUTPUT -m mark --mark 0x1ce -j RETURN
            COMMIT
            """, IptablesScript.show(saved));
    }
}
