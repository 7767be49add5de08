package dev.ice.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nginx example over IPv4, as {@code examples/run.sh up nginx} builds it; see {@link NginxScenario} for what
 * is checked. It also holds the check that loopback traffic next to a client sidecar is left alone.
 */
class NginxExampleIT extends NginxScenario {

    @Override
    boolean ipv6() {
        return false;
    }

    @Test
    void aLoopbackConnectionInTheClientNamespaceIsNotIntercepted(@TempDir Path site) throws IOException {
        // Proves: a service talking to itself on 127.0.0.1:80, the intercepted port, reaches its own listener and
        // the client sidecar sees no connection.
        String marker = "ICE-LOOPBACK-MARKER-" + UUID.randomUUID();
        Files.writeString(site.resolve("loopback.txt"), marker);
        int linesBefore = example.sidecarLog("CLIENT").size();

        List<String> server = Commands.inNamespace(example.env("ICE_NS_CLIENT"), "/usr/bin/python3", "-u", "-m",
            "http.server", "80", "--bind", "127.0.0.1", "--directory", site.toString());
        try (RunningProcess listener = RunningProcess.start("python3 -m http.server on 127.0.0.1:80", server,
                Map.of(), site.resolve("http-server.log"))) {
            listener.awaitLine("Serving HTTP on 127.0.0.1 port 80", Duration.ofSeconds(10));

            Commands.Result fetched = example.run("CLIENT", "curl", "-sS", "--max-time", "10",
                "http://127.0.0.1/loopback.txt");

            assertEquals(0, fetched.exitCode(), fetched.describe());
            assertEquals(marker, fetched.stdout());
            listener.awaitLine("\"GET /loopback.txt HTTP/1.1\" 200", Duration.ofSeconds(5));
        }

        // A connection the sidecar had taken would be logged within milliseconds.
        Commands.pause(Duration.ofMillis(500));
        List<String> log = example.sidecarLog("CLIENT");
        assertEquals(List.of(), log.subList(linesBefore, log.size()), "the client sidecar logged a connection");
    }
}
