package dev.ice.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetfilterTest {

    private static final String LEGACY_NAT_WITH_DOCKER = """
        *nat
        :PREROUTING ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :DOCKER - [0:0]
        -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
        COMMIT
        """;

    private static final String EMPTY_NAT = "*nat\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n";

    @Test
    void iptablesInstallIsOneSaveAndOneRestorePerFamily() {
        ScriptedRunner runner = new ScriptedRunner();

        Netfilter.using(Backend.IPTABLES_NFT, runner).install(SamplePlans.bothRolesWithIpv6());

        assertEquals(List.of("iptables-nft-save", "iptables-nft-restore --noflush --wait=5", "ip6tables-nft-save",
            "ip6tables-nft-restore --noflush --wait=5"), runner.lines());
        assertTrue(runner.calls().get(3).input().contains("-A ICE_OUTPUT -d 2001:db8:ff::/48 -j RETURN\n"));
    }

    @Test
    void legacyInstallUsesTheLegacyTools() {
        ScriptedRunner runner = new ScriptedRunner();

        Netfilter.using(Backend.IPTABLES_LEGACY, runner).install(SamplePlans.bothRolesWithIpv6());

        assertEquals(List.of("iptables-legacy-save", "iptables-legacy-restore --noflush --wait=5",
            "ip6tables-legacy-save", "ip6tables-legacy-restore --noflush --wait=5"), runner.lines());
    }

    @Test
    void anIpv4OnlyInstallRemovesIcesIpv6RulesLeftFromBefore() {
        ScriptedRunner runner = new ScriptedRunner()
            .answer("ip6tables-nft-save", 0, "*nat\n:ICE_OUTPUT - [0:0]\n-A OUTPUT -j ICE_OUTPUT\nCOMMIT\n", "");

        Netfilter.using(Backend.IPTABLES_NFT, runner).install(SamplePlans.bothRolesIpv4Only());

        assertEquals("ip6tables-nft-restore --noflush --wait=5", runner.lines().getLast());
        assertEquals("*nat\n-D OUTPUT -j ICE_OUTPUT\n-F ICE_OUTPUT\n-X ICE_OUTPUT\nCOMMIT\n",
            runner.calls().getLast().input());
    }

    @Test
    void nftablesInstallIsOneScript() {
        ScriptedRunner runner = new ScriptedRunner();

        Netfilter.using(Backend.NFTABLES, runner).install(SamplePlans.bothRolesWithIpv6());

        assertEquals(List.of("nft -f -"), runner.lines());
        assertTrue(runner.calls().getFirst().input().startsWith("table inet ice\ndelete table inet ice\n"));
    }

    @Test
    void aMissingToolFailsTheInstallNamingBackendCommandAndFix() {
        ScriptedRunner runner = new ScriptedRunner().missing("iptables-legacy-save");

        NetfilterException e = assertThrows(NetfilterException.class,
            () -> Netfilter.using(Backend.IPTABLES_LEGACY, runner).install(SamplePlans.bothRolesWithIpv6()));

        assertEquals("iptables-legacy backend: 'iptables-legacy-save' failed with exit code 127:"
            + " iptables-legacy-save: command not found; install the tool (Debian packages iptables and nftables)"
            + " or choose another backend with ICE_NETFILTER_BACKEND", e.getMessage());
    }

    @Test
    void aFailedIpv6BatchRemovesTheIpv4RulesAlreadyWritten() {
        String installedIpv4 = "*nat\n:ICE_INBOUND - [0:0]\n:ICE_OUTPUT - [0:0]\n-A PREROUTING -j ICE_INBOUND\n"
            + "-A OUTPUT -j ICE_OUTPUT\nCOMMIT\n";
        ScriptedRunner runner = new ScriptedRunner()
            .answer("iptables-nft-save", 0, installedIpv4, "")
            .answer("ip6tables-nft-restore", 2, "", "ip6tables-nft-restore v1.8.9 (nf_tables): Couldn't load match"
                + " `mark':No such file or directory\n\nError occurred at line: 6\n");

        NetfilterException e = assertThrows(NetfilterException.class,
            () -> Netfilter.using(Backend.IPTABLES_NFT, runner).install(SamplePlans.bothRolesWithIpv6()));

        assertEquals("iptables-nft backend: 'ip6tables-nft-restore --noflush --wait=5' failed with exit code 2:"
            + " ip6tables-nft-restore v1.8.9 (nf_tables): Couldn't load match `mark':No such file or directory\n\n"
            + "Error occurred at line: 6 (batch line 6: -A ICE_OUTPUT -m mark --mark 0x1ce -j RETURN)",
            e.getMessage());
        assertEquals(List.of("iptables-nft-save", "iptables-nft-restore --noflush --wait=5", "ip6tables-nft-save",
            "ip6tables-nft-restore --noflush --wait=5", "iptables-nft-save",
            "iptables-nft-restore --noflush --wait=5", "ip6tables-nft-save"), runner.lines());
        assertEquals("*nat\n-D PREROUTING -j ICE_INBOUND\n-D OUTPUT -j ICE_OUTPUT\n-F ICE_INBOUND\n-X ICE_INBOUND\n"
            + "-F ICE_OUTPUT\n-X ICE_OUTPUT\nCOMMIT\n", runner.calls().get(5).input());
    }

    @Test
    void aFailedRollbackIsAttachedToTheOriginalFailure() {
        ScriptedRunner runner = new ScriptedRunner().answer("nft", 1, "", "Error: Could not process rule");

        NetfilterException e = assertThrows(NetfilterException.class,
            () -> Netfilter.using(Backend.NFTABLES, runner).install(SamplePlans.bothRolesWithIpv6()));

        assertEquals("nftables backend: 'nft -f -' failed with exit code 1: Error: Could not process rule",
            e.getMessage());
        assertEquals(1, e.getSuppressed().length);
        assertEquals(List.of("nft -f -", "nft -f -"), runner.lines());
    }

    @Test
    void removingWhenNothingIsInstalledWritesNothing() {
        ScriptedRunner runner = new ScriptedRunner().answer("iptables-nft-save", 0, EMPTY_NAT, "");

        Netfilter.using(Backend.IPTABLES_NFT, runner).remove();

        assertEquals(List.of("iptables-nft-save", "ip6tables-nft-save"), runner.lines());
    }

    @Test
    void anUnreadableIpv6TableHoldsNothingToRemove() {
        ScriptedRunner runner = new ScriptedRunner()
            .answer("ip6tables-legacy-save", 1, "", "ip6tables-legacy-save: Address family not supported");

        Netfilter.using(Backend.IPTABLES_LEGACY, runner).remove();

        assertEquals(List.of("iptables-legacy-save", "ip6tables-legacy-save"), runner.lines());
    }

    @Test
    void nftablesShowListsIcesTableOnlyWhenItExists() {
        ScriptedRunner runner = new ScriptedRunner().answer("nft", 0, "table ip nat\n", "");

        assertEquals("", Netfilter.using(Backend.NFTABLES, runner).show());
        assertEquals(List.of("nft list tables"), runner.lines());
    }

    @Test
    void detectionPrefersLegacyWhenLegacyHoldsNatRules() {
        ScriptedRunner runner = new ScriptedRunner()
            .answer("iptables-legacy-save", 0, LEGACY_NAT_WITH_DOCKER, "")
            .answer("iptables-nft-save", 0, LEGACY_NAT_WITH_DOCKER, "");

        assertEquals(Backend.IPTABLES_LEGACY, Netfilter.detect(runner, "auto").backend());
        assertEquals(List.of("iptables-legacy-save"), runner.lines());
    }

    @Test
    void detectionPicksIptablesNftWhenOnlyItHoldsNatRules() {
        ScriptedRunner runner = new ScriptedRunner()
            .answer("iptables-legacy-save", 0, EMPTY_NAT, "")
            .answer("iptables-nft-save", 0, LEGACY_NAT_WITH_DOCKER, "");

        assertEquals(Backend.IPTABLES_NFT, Netfilter.detect(runner, null).backend());
    }

    @Test
    void detectionPicksNativeNftablesWhenNoIptablesRulesExistAndNftIsInstalled() {
        ScriptedRunner runner = new ScriptedRunner().missing("iptables-legacy-save");

        assertEquals(Backend.NFTABLES, Netfilter.detect(runner, "").backend());
        assertEquals(List.of("iptables-legacy-save", "iptables-nft-save", "nft --version"), runner.lines());
    }

    @Test
    void detectionFallsBackToIptablesNftWithoutNft() {
        ScriptedRunner runner = new ScriptedRunner().missing("nft");

        assertEquals(Backend.IPTABLES_NFT, Netfilter.detect(runner, "auto").backend());
    }

    @Test
    void aNamedBackendIsUsedWithoutProbing() {
        ScriptedRunner runner = new ScriptedRunner();

        assertEquals(Backend.IPTABLES_LEGACY, Netfilter.detect(runner, "iptables-legacy").backend());
        assertEquals(List.of(), runner.lines());
    }

    @Test
    void ipv6IsEnabledOnlyWithTheSysctlAtZeroAndTheKernelsAddressList(@TempDir Path proc) throws IOException {
        Path sysctl = proc.resolve("sys/net/ipv6/conf/all/disable_ipv6");
        assertFalse(Netfilter.ipv6Enabled(proc));

        Files.createDirectories(sysctl.getParent());
        Files.writeString(sysctl, "0\n");
        assertFalse(Netfilter.ipv6Enabled(proc));

        Files.createDirectories(proc.resolve("net"));
        Files.writeString(proc.resolve("net/if_inet6"), "");
        assertTrue(Netfilter.ipv6Enabled(proc));

        Files.writeString(sysctl, "1\n");
        assertFalse(Netfilter.ipv6Enabled(proc));
    }
}
