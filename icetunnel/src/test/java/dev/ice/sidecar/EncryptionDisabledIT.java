package dev.ice.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nginx example with sidecars started by the test with {@code ICE_ENCRYPTION_ENABLED=False}: the development
 * switch that keeps the interception but sends plaintext.
 *
 * <p>The request runs once, before the tests; each test then checks one promise against what happened.
 */
@Tag("namespace")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EncryptionDisabledIT {

    /** Sent by the client in the URL and a header: with encryption off it must show on the bridge. */
    private final String requestMarker = "ICE-REQUEST-MARKER-" + UUID.randomUUID();

    private final List<AutoCloseable> running = new ArrayList<>();

    private Example example;
    private RunningProcess serverSidecar;
    private RunningProcess clientSidecar;
    private BridgeCapture capture;
    private Commands.Result page;

    @BeforeAll
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void fetchThePageThroughPlaintextSidecarsWhileCapturing(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path work) {
        example = Example.upWithoutSidecars("nginx");
        running.add(example);
        serverSidecar = startPlaintextSidecar("SERVER", "server:tcp:80", work.resolve("sidecar-server.log"));
        clientSidecar = startPlaintextSidecar("CLIENT", "client:tcp:80", work.resolve("sidecar-client.log"));

        capture = BridgeCapture.start(example.env("ICE_BRIDGE"), work);
        running.add(capture);
        page = example.run("CLIENT", "curl", "-sS", "--max-time", "10", "-H", "X-Ice-Probe: " + requestMarker,
            example.env("ICE_URL") + "?probe=" + requestMarker);
        capture.stop();
    }

    /** Stops what started, newest first: capture, sidecars (which remove their rules), then the example. */
    @AfterAll
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void stopEverything() throws Exception {
        for (AutoCloseable resource : running.reversed()) {
            resource.close();
        }
    }

    @Test
    void theRequestAndThePageCrossTheBridgeInPlaintext() {
        // Proves: the switch really turns encryption off, so nobody can mistake it for a harmless setting.
        assertEquals(0, page.exitCode(), page.describe());
        assertTrue(page.stdout().contains(example.env("ICE_MARKER")), page.stdout());

        assertTrue(capture.contains(requestMarker), "the request was not seen in plaintext: " + capture.summary());
        assertTrue(capture.contains(example.env("ICE_MARKER")), "the page was not seen in plaintext");
    }

    @Test
    void bothSidecarsStillTakeTheConnection() {
        // Proves: only the encryption is off; the traffic still goes through the sidecars on both ends.
        clientSidecar.awaitLine(" open client " + example.env("ICE_ADDR_CLIENT"), SidecarProcess.READY_TIMEOUT);
        serverSidecar.awaitLine(" open server " + example.env("ICE_ADDR_CLIENT"), SidecarProcess.READY_TIMEOUT);
    }

    @Test
    void eachSidecarWarnsLoudlyThatTrafficIsPlaintext() {
        // Proves: an operator reading the sidecar's output cannot miss that encryption is off.
        for (RunningProcess sidecar : List.of(serverSidecar, clientSidecar)) {
            String output = sidecar.output();
            assertTrue(output.contains("encryption enabled   False  <-- PLAINTEXT"), output);
            assertTrue(output.contains("!!! ICE_ENCRYPTION_ENABLED=False"), output);
            assertTrue(output.contains("crosses the network in PLAINTEXT"), output);
            assertTrue(output.contains("WARN  sidecar ENCRYPTION IS OFF."), output);
        }
    }

    private RunningProcess startPlaintextSidecar(String role, String roles, Path log) {
        Map<String, String> settings = SidecarProcess.settings(roles);
        settings.put("ICE_ENCRYPTION_ENABLED", "False");
        RunningProcess sidecar = SidecarProcess.startReady(example.env("ICE_NS_" + role), settings, log);
        running.add(sidecar);
        return sidecar;
    }
}
