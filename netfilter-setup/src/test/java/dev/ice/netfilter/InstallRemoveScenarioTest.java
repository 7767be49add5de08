package dev.ice.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each backend's install, reinstall, show and remove against a real kernel, in a fresh namespace that already
 * holds a rule of someone else's.
 */
@Tag("namespace")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ParameterizedClass
@EnumSource(Backend.class)
class InstallRemoveScenarioTest {

    private static final InterceptionPlan OTHER_PLAN = new InterceptionPlan(List.of(5432), List.of(6379), 15106,
        15101, 0x2ce, List.of("198.18.0.128/25"), false);

    private final Backend backend;

    private NetworkNamespace namespace;
    private Netfilter netfilter;
    private String before;

    InstallRemoveScenarioTest(Backend backend) {
        this.backend = backend;
    }

    @BeforeEach
    void createNamespaceWithAnUnrelatedRule() {
        namespace = NetworkNamespace.create();
        addUnrelatedRules();
        netfilter = Netfilter.using(backend, namespace.runner());
        before = ruleset();
    }

    @AfterEach
    void deleteNamespace() {
        namespace.close();
    }

    @Test
    void installingTwiceLeavesTheSameRulesAsInstallingOnce() {
        // Proves: install is idempotent: a second install adds nothing.
        netfilter.install(SamplePlans.bothRolesWithIpv6());
        String once = ruleset();
        netfilter.install(SamplePlans.bothRolesWithIpv6());

        assertNotEquals(before, once);
        assertEquals(once, ruleset());
    }

    @Test
    void installingOverRulesLeftByACrashLeavesOneSet() {
        // Proves: whatever a crashed run left in ICE's chains or table is replaced, not added to.
        netfilter.install(SamplePlans.bothRolesWithIpv6());
        String once = ruleset();
        leaveDebris();
        assertNotEquals(once, ruleset());

        netfilter.install(SamplePlans.bothRolesWithIpv6());

        assertEquals(once, ruleset());
    }

    @Test
    void aNewPlanReplacesTheOldOneEntirely() {
        // Proves: installing another plan (here without IPv6) leaves exactly what installing it alone would.
        netfilter.install(OTHER_PLAN);
        String alone = ruleset();
        netfilter.remove();

        netfilter.install(SamplePlans.bothRolesWithIpv6());
        netfilter.install(OTHER_PLAN);

        assertEquals(alone, ruleset());
    }

    @Test
    void removeRestoresTheNamespaceAsItWasAndCanBeRepeated() {
        // Proves: remove deletes ICE's chains, jumps and table, keeps everyone else's rules, and is idempotent.
        netfilter.install(SamplePlans.bothRolesWithIpv6());

        netfilter.remove();
        netfilter.remove();

        assertEquals(before, ruleset());
        assertFalse(ruleset().contains("ICE_") || ruleset().contains("table inet ice"), ruleset());
        assertTrue(ruleset().contains("198.18.0.77"), "the unrelated rule survives: " + ruleset());
        assertEquals("", netfilter.show());
    }

    @Test
    void removeSucceedsWhenNothingWasEverInstalled() {
        // Proves: removal in a namespace ICE never touched changes nothing.
        netfilter.remove();

        assertEquals(before, ruleset());
    }

    @Test
    void showListsTheInstalledRules() {
        // Proves: show returns the rules as the backend lists them, IPv4 and IPv6.
        netfilter.install(SamplePlans.bothRolesWithIpv6());

        String shown = netfilter.show();

        for (String line : expectedShowLines()) {
            assertTrue(shown.contains(line), "show lacks '" + line + "':\n" + shown);
        }
        assertFalse(shown.contains("198.18.0.77"), "show lists only ICE's rules:\n" + shown);
    }

    private List<String> expectedShowLines() {
        if (backend == Backend.NFTABLES) {
            return List.of("table inet ice {", "type nat hook prerouting priority dstnat; policy accept;",
                "tcp dport { 8080, 9090 } redirect to :15006", "meta mark 0x000001ce return",
                "ip daddr 198.18.0.64/26 return", "ip6 daddr 2001:db8:ff::/48 return",
                "tcp dport { 80, 443 } redirect to :15001");
        }
        return List.of("# " + tool("iptables", "save") + ": ICE's chains and jumps\n*nat\n:ICE_INBOUND - [0:0]\n"
            + ":ICE_OUTPUT - [0:0]\n-A PREROUTING -j ICE_INBOUND\n-A OUTPUT -j ICE_OUTPUT\n"
            + "-A ICE_INBOUND -p tcp -m tcp --dport 8080 -j REDIRECT --to-ports 15006\n",
            "-A ICE_OUTPUT -m mark --mark 0x1ce -j RETURN\n-A ICE_OUTPUT -d 127.0.0.0/8 -j RETURN\n",
            "# " + tool("ip6tables", "save") + ": ICE's chains and jumps\n",
            "-A ICE_OUTPUT -d 2001:db8:ff::/48 -j RETURN\n");
    }

    /** Rules of someone else's: one in the nat OUTPUT chain ICE also jumps from, one in another table. */
    private void addUnrelatedRules() {
        if (backend == Backend.NFTABLES) {
            namespace.runWith("""
                table inet other {
                    chain out {
                        type nat hook output priority 0; policy accept;
                        ip daddr 198.18.0.77 return
                    }
                }
                """, "nft", "-f", "-");
            return;
        }
        namespace.run(tool("iptables", ""), "-t", "nat", "-A", "OUTPUT", "-d", "198.18.0.77/32", "-j", "RETURN");
        namespace.run(tool("iptables", ""), "-A", "INPUT", "-s", "198.18.0.78/32", "-j", "DROP");
        namespace.run(tool("ip6tables", ""), "-t", "nat", "-A", "OUTPUT", "-d", "2001:db8::77/128", "-j", "RETURN");
    }

    /** What a crash between two writes could leave: a duplicate jump and a stray rule, or a stray chain. */
    private void leaveDebris() {
        if (backend == Backend.NFTABLES) {
            namespace.run("nft", "add", "chain", "inet", "ice", "stray");
            namespace.run("nft", "add", "rule", "inet", "ice", "output", "tcp", "dport", "22", "return");
            return;
        }
        namespace.run(tool("iptables", ""), "-t", "nat", "-A", "OUTPUT", "-j", "ICE_OUTPUT");
        namespace.run(tool("iptables", ""), "-t", "nat", "-A", "ICE_OUTPUT", "-p", "tcp", "--dport", "22", "-j",
            "RETURN");
        namespace.run(tool("ip6tables", ""), "-t", "nat", "-A", "PREROUTING", "-j", "ICE_INBOUND");
    }

    /**
     * The namespace's whole ruleset as the backend's tools print it, without comments (they hold timestamps) and
     * with counters zeroed (they move with traffic).
     */
    private String ruleset() {
        if (backend == Backend.NFTABLES) {
            return namespace.run("nft", "list", "ruleset");
        }
        return (namespace.run(tool("iptables", "save")) + namespace.run(tool("ip6tables", "save"))).lines()
            .filter(line -> !line.startsWith("#"))
            .map(line -> line.replaceAll("\\[\\d+:\\d+]", "[0:0]"))
            .collect(Collectors.joining("\n"));
    }

    /** The variant's tool: {@code tool("iptables", "save")} is {@code iptables-nft-save} or the legacy one. */
    private String tool(String family, String action) {
        String name = family + "-" + (backend == Backend.IPTABLES_LEGACY ? "legacy" : "nft");
        return action.isEmpty() ? name : name + "-" + action;
    }
}
