package dev.ice.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A service that listens only on 127.0.0.1 is still reached through its server role. */
@Tag("namespace")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class LoopbackServiceIT {

    private final List<AutoCloseable> running = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        for (AutoCloseable resource : running.reversed()) {
            resource.close();
        }
    }

    @Test
    void serviceBoundOnlyToLoopbackIsReachedThroughTheSidecars(@TempDir Path work) throws IOException {
        // Proves: the server sidecar's connection to the container's address is refused by a service bound to
        // 127.0.0.1 only, and the sidecar then reaches it on loopback, so the client still gets the page.
        String marker = "ICE-LOOPBACK-SERVICE-" + UUID.randomUUID();
        Files.createDirectories(work.resolve("www"));
        Files.writeString(work.resolve("www/page.txt"), marker + "\n");
        Example example = Example.upWithoutSidecars("nginx");
        running.add(example);
        String server = example.env("ICE_NS_SERVER");
        running.add(RunningProcess.start("loopback-only http.server", Commands.inNamespace(server, "python3", "-m",
            "http.server", "8080", "--bind", "127.0.0.1", "--directory", work.resolve("www").toString()),
            java.util.Map.of(), work.resolve("http.log")));
        running.add(SidecarProcess.startReady(server, SidecarProcess.settings("server:tcp:8080"),
            work.resolve("sidecar-server.log")));
        running.add(SidecarProcess.startReady(example.env("ICE_NS_CLIENT"), SidecarProcess.settings("client:tcp:8080"),
            work.resolve("sidecar-client.log")));

        Commands.Result page = fetchWhenServing(example, "http://" + example.env("ICE_ADDR_SERVER") + ":8080/page.txt");

        assertEquals(0, page.exitCode(), page.describe());
        assertEquals(marker + "\n", page.stdout());
    }

    // python3 needs a moment to bind; retry briefly rather than sleep a fixed time.
    private static Commands.Result fetchWhenServing(Example example, String url) {
        Commands.Result page = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            page = example.run("CLIENT", "curl", "-sS", "--max-time", "10", url);
            if (page.exitCode() == 0) {
                return page;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return page;
    }
}
