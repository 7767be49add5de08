package dev.ice.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Backend detection against the real tools, in a fresh namespace each time. */
@Tag("namespace")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BackendDetectionScenarioTest {

    private NetworkNamespace namespace;

    @BeforeEach
    void createNamespace() {
        namespace = NetworkNamespace.create();
    }

    @AfterEach
    void deleteNamespace() {
        namespace.close();
    }

    @Test
    void aNamespaceWithoutNatRulesGetsNativeNftables() {
        // Proves: with no iptables nat rules anywhere and nft installed, auto picks native nftables.
        assertEquals(Backend.NFTABLES, Netfilter.detect(namespace.runner(), "auto").backend());
    }

    @Test
    void legacyNatRulesMakeLegacyTheBackend() {
        // Proves: a nat rule written with iptables-legacy (as older Docker does) makes auto pick legacy.
        namespace.run("iptables-legacy", "-t", "nat", "-A", "POSTROUTING", "-s", "198.18.0.0/24", "-j", "MASQUERADE");

        assertEquals(Backend.IPTABLES_LEGACY, Netfilter.detect(namespace.runner(), "auto").backend());
    }

    @Test
    void iptablesNftNatRulesMakeIptablesNftTheBackend() {
        // Proves: a nat rule written with iptables-nft makes auto pick iptables-nft over native nftables.
        namespace.run("iptables-nft", "-t", "nat", "-N", "SOMEONE_ELSE");

        assertEquals(Backend.IPTABLES_NFT, Netfilter.detect(namespace.runner(), "auto").backend());
    }

    @Test
    void detectionLoadsNoLegacyTable() {
        // Proves: probing reads only: afterwards iptables-legacy-save still shows no table at all.
        Netfilter.detect(namespace.runner(), "auto");

        assertEquals("", namespace.run("iptables-legacy-save"));
    }

    @Test
    void aNamedBackendWinsOverWhatIsInstalled() {
        // Proves: ICE_NETFILTER_BACKEND overrides detection.
        namespace.run("iptables-legacy", "-t", "nat", "-A", "POSTROUTING", "-s", "198.18.0.0/24", "-j", "MASQUERADE");

        assertEquals(Backend.NFTABLES, Netfilter.detect(namespace.runner(), "nftables").backend());
    }
}
