package dev.ice.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A sidecar's netfilter rules from start to stop, and after a crash, with each backend that
 * {@code ICE_NETFILTER_BACKEND} names, in a namespace of the test's own with one sidecar for both roles.
 */
@Tag("namespace")
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@ParameterizedClass(name = "ICE_NETFILTER_BACKEND={0}")
@ValueSource(strings = {"nftables", "iptables-nft", "iptables-legacy"})
class SidecarRulesLifecycleIT {

    private final String backend;
    private final List<RunningProcess> sidecars = new ArrayList<>();

    private TestNamespace namespace;
    private Map<String, String> settings;

    @TempDir
    Path logs;

    SidecarRulesLifecycleIT(String backend) {
        this.backend = backend;
    }

    @BeforeEach
    void createNamespace() {
        namespace = TestNamespace.create();
        settings = SidecarProcess.settings("server:tcp:80,client:tcp:80");
        settings.put("ICE_NETFILTER_BACKEND", backend);
    }

    @AfterEach
    void stopSidecarsAndDeleteNamespace() {
        try {
            sidecars.forEach(RunningProcess::close);
        } finally {
            namespace.close();
        }
    }

    @Test
    void rulesShowListsTheInterceptionWhileTheSidecarRuns() {
        // Proves: an operator can see, with the sidecar's own settings, the rules that redirect both roles.
        RunningProcess sidecar = startReady("sidecar.log");

        String shown = SidecarProcess.rules(namespace.name(), settings, "show").requireSuccess().stdout();

        assertTrue(sidecar.output().contains("intercepted with " + backend), sidecar.output());
        for (String expected : expectedShowFragments()) {
            assertTrue(shown.contains(expected), "rules show lacks '" + expected + "':\n" + shown);
        }
    }

    @Test
    void sigtermExitsZeroAndLeavesNoRuleOfIce() {
        // Proves: stopping the sidecar the normal way gives the namespace back as it was.
        RunningProcess sidecar = startReady("sidecar.log");
        assertFalse(namespace.iceRules().isEmpty(), "the running sidecar has rules");

        assertEquals(0, sidecar.terminate(), sidecar.output());

        assertEquals(List.of(), namespace.iceRules());
        assertTrue(sidecar.output().contains("stopping"), sidecar.output());
    }

    @Test
    void sigtermRightAfterTheRulesAreInstalledStillExitsZeroAndLeavesNoRuleOfIce() {
        // Proves: an orchestrator that stops the sidecar while it starts up (here between installing its rules and
        // logging ready, a window of milliseconds) does not leave the rules behind to blackhole the service.
        RunningProcess sidecar = SidecarProcess.start(namespace.name(), settings, logs.resolve("sidecar.log"));
        sidecars.add(sidecar);
        sidecar.awaitLine("installed interception", SidecarProcess.READY_TIMEOUT);

        int status = sidecar.terminate();

        assertEquals(List.of(), namespace.iceRules(), "exit status " + status + ":\n" + sidecar.output());
        assertEquals(0, status, sidecar.output());
    }

    @Test
    void aRestartAfterKillNineInstallsExactlyTheRulesetOfTheFirstStart() {
        // Proves: a crash leaves the rules in place, and the restarted sidecar replaces them instead of adding more.
        RunningProcess first = startReady("first.log");
        String firstRuleset = namespace.ruleset(backend);
        first.killHard();
        assertEquals(firstRuleset, namespace.ruleset(backend), "kill -9 gives the sidecar no chance to clean up");

        RunningProcess second = startReady("second.log");

        assertEquals(firstRuleset, namespace.ruleset(backend));
        assertEquals(0, second.terminate(), second.output());
        assertEquals(List.of(), namespace.iceRules());
    }

    @Test
    void rulesRemoveCleansUpAfterKillNine() {
        // Proves: the rules a crashed sidecar left can be removed by hand with the same settings.
        startReady("sidecar.log").killHard();
        assertFalse(namespace.iceRules().isEmpty(), "kill -9 leaves the rules");

        SidecarProcess.rules(namespace.name(), settings, "remove").requireSuccess();

        assertEquals(List.of(), namespace.iceRules());
    }

    @Test
    void keepRulesOnExitLeavesTheInterceptionSoTrafficIsRefusedNotSentInClear() {
        // Proves: with ICE_KEEP_RULES_ON_EXIT=True a clean stop keeps the rules (fail closed until a sidecar comes
        // back), the sidecar says so, and rules remove still cleans up by hand.
        settings.put("ICE_KEEP_RULES_ON_EXIT", "True");
        RunningProcess sidecar = startReady("sidecar.log");
        String installed = namespace.ruleset(backend);

        assertEquals(0, sidecar.terminate(), sidecar.output());

        assertEquals(installed, namespace.ruleset(backend));
        assertTrue(sidecar.output().contains("ICE_KEEP_RULES_ON_EXIT=True: the interception rules stay"),
            sidecar.output());
        SidecarProcess.rules(namespace.name(), settings, "remove").requireSuccess();
        assertEquals(List.of(), namespace.iceRules());
    }

    private RunningProcess startReady(String log) {
        RunningProcess sidecar = SidecarProcess.startReady(namespace.name(), settings, logs.resolve(log));
        sidecars.add(sidecar);
        return sidecar;
    }

    /** Both roles' redirects, IPv4 and IPv6 (a fresh namespace has IPv6), as the backend's tools list them. */
    private List<String> expectedShowFragments() {
        if (backend.equals("nftables")) {
            return List.of("table inet ice {", "tcp dport 80 redirect to :15006", "meta mark 0x000001ce return",
                "tcp dport 80 redirect to :15001");
        }
        String variant = backend.substring("iptables-".length());
        return List.of("# iptables-" + variant + "-save: ICE's chains and jumps",
            "# ip6tables-" + variant + "-save: ICE's chains and jumps",
            "-A ICE_INBOUND -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 15006",
            "-A ICE_OUTPUT -m mark --mark 0x1ce -j RETURN",
            "-A ICE_OUTPUT -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 15001");
    }
}
