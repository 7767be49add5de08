package dev.ice.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Failures against the real tools: a missing binary, and a batch that fails halfway through an install. */
@Tag("namespace")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FailureScenarioTest {

    private NetworkNamespace namespace;

    @BeforeEach
    void createNamespace() {
        namespace = NetworkNamespace.create();
    }

    @AfterEach
    void deleteNamespace() {
        namespace.close();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aBackendWhoseToolIsMissingFailsNamingBackendCommandAndFix(Backend backend) {
        // Proves: with no tool on the PATH, install fails with a message an operator can act on, and writes nothing.
        CommandRunner noTools = namespace.runner().prefixedWith("env", "PATH=/nonexistent");

        NetfilterException e = assertThrows(NetfilterException.class,
            () -> Netfilter.using(backend, noTools).install(SamplePlans.bothRolesWithIpv6()));

        String tool = backend == Backend.NFTABLES ? "nft" : backend.settingName() + "-save";
        assertTrue(e.getMessage().startsWith(backend + " backend: '" + tool), e.getMessage());
        // env quotes the name with the locale's quotation marks.
        assertTrue(e.getMessage().matches("(?s).*exit code 127: env: .?" + tool + ".?: No such file or directory.*"),
            e.getMessage());
        assertTrue(e.getMessage().endsWith("or choose another backend with ICE_NETFILTER_BACKEND"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"IPTABLES_NFT", "IPTABLES_LEGACY"})
    void anIpv6BatchThatFailsLeavesNoIpv4RulesBehind(Backend backend) {
        // Proves: when the second family's batch fails, the first family's rules are rolled back.
        String variant = backend == Backend.IPTABLES_LEGACY ? "legacy" : "nft";
        String ipv6Restore = "ip6tables-" + variant + "-restore";
        CommandRunner real = namespace.runner();
        CommandRunner failingIpv6 = (command, input) -> command.getFirst().equals(ipv6Restore)
            ? new CommandResult(4, "", "ip6tables-restore: simulated failure\nError occurred at line: 2\n")
            : real.run(command, input);

        NetfilterException e = assertThrows(NetfilterException.class,
            () -> Netfilter.using(backend, failingIpv6).install(SamplePlans.bothRolesWithIpv6()));

        assertEquals(backend + " backend: '" + ipv6Restore + " --noflush --wait=5' failed with exit code 4:"
            + " ip6tables-restore: simulated failure\nError occurred at line: 2 (batch line 2: :ICE_INBOUND - [0:0])",
            e.getMessage());
        String ipv4 = namespace.run("iptables-" + variant + "-save");
        assertFalse(ipv4.contains("ICE_"), ipv4);
        assertEquals("", Netfilter.using(backend, real).show());
    }

    @Test
    void aBatchTheToolRejectsFailsWithTheToolsOwnWordsAndTheLine() {
        // Proves: a real restore error reaches the message with the batch line it names, and nothing is left.
        // The IPv6 batch goes to the IPv4 tool, which cannot read ::1.
        CommandRunner real = namespace.runner();
        CommandRunner wrongFamily = (command, input) -> command.getFirst().equals("ip6tables-nft-restore")
            ? real.run(List.of("iptables-nft-restore", "--noflush"), input)
            : real.run(command, input);

        NetfilterException e = assertThrows(NetfilterException.class,
            () -> Netfilter.using(Backend.IPTABLES_NFT, wrongFamily).install(SamplePlans.bothRolesWithIpv6()));

        assertTrue(e.getMessage().startsWith("iptables-nft backend: 'ip6tables-nft-restore --noflush --wait=5'"
            + " failed with exit code 2: iptables-nft-restore"), e.getMessage());
        assertTrue(e.getMessage().contains("invalid mask `128' specified"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(batch line 7: -A ICE_OUTPUT -d ::1/128 -j RETURN)"), e.getMessage());
        assertEquals("", Netfilter.using(Backend.IPTABLES_NFT, real).show());
    }
}
