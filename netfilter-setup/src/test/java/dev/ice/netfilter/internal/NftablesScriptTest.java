package dev.ice.netfilter.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ice.netfilter.InterceptionPlan;
import dev.ice.netfilter.SamplePlans;
import java.util.List;
import org.junit.jupiter.api.Test;

class NftablesScriptTest {

    @Test
    void anInstallReplacesIcesInetTableWithBothChains() {
        assertEquals("""
            table inet ice
            delete table inet ice
            table inet ice {
            \tchain inbound {
            \t\ttype nat hook prerouting priority dstnat; policy accept;
            \t\ttcp dport { 8080, 9090 } redirect to :15006
            \t}

            \tchain output {
            \t\ttype nat hook output priority -100; policy accept;
            \t\tmeta mark 0x000001ce return
            \t\tip daddr 127.0.0.0/8 return
            \t\tip6 daddr ::1/128 return
            \t\tip daddr 198.18.0.64/26 return
            \t\tip6 daddr 2001:db8:ff::/48 return
            \t\ttcp dport { 80, 443 } redirect to :15001
            \t}
            }
            """, NftablesScript.install(InterceptionRules.from(SamplePlans.bothRolesWithIpv6())));
    }

    @Test
    void withoutIpv6EveryChainLetsIpv6PassAndNoIpv6NetworkIsListed() {
        InterceptionPlan plan = new InterceptionPlan(List.of(8080), List.of(), 15006, 15001, -2,
            List.of("2001:db8:ff::/48"), false);

        assertEquals("""
            table inet ice
            delete table inet ice
            table inet ice {
            \tchain inbound {
            \t\ttype nat hook prerouting priority dstnat; policy accept;
            \t\tmeta nfproto ipv6 return
            \t\ttcp dport 8080 redirect to :15006
            \t}

            \tchain output {
            \t\ttype nat hook output priority -100; policy accept;
            \t\tmeta nfproto ipv6 return
            \t}
            }
            """, NftablesScript.install(InterceptionRules.from(plan)));
    }

    @Test
    void aMarkWithTheTopBitSetIsWrittenUnsigned() {
        InterceptionPlan plan = new InterceptionPlan(List.of(), List.of(80), 15006, 15001, 0x8000_01ce, List.of(),
            true);

        String script = NftablesScript.install(InterceptionRules.from(plan));

        assertTrue(script.contains("\t\tmeta mark 0x800001ce return\n"), script);
    }

    @Test
    void removalDeclaresTheTableFirstSoThatItSucceedsWhenThereIsNone() {
        assertEquals("table inet ice\ndelete table inet ice\n", NftablesScript.remove());
    }
}
