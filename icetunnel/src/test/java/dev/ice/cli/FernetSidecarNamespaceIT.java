package dev.ice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Sidecars with ICE_CRYPTO_STRATEGY=fernet in network namespaces: nginx served, and a TLS sidecar named. */
@Tag("namespace")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FernetSidecarNamespaceIT {

    private static final Path ROOT = Path.of(System.getProperty("ice.root", "."));
    private static final String KEY_HEX = "f00dfeedc0ffee00112233445566778899aabbccddeeff001122334455667788";
    private static final String PAGE = "served through fernet tokens";

    @TempDir
    Path work;

    @Test
    void nginxIsServedThroughFernetSidecarsAndATlsSidecarIsNamedAsTheOtherStrategy() throws Exception {
        // Proves: curl in a client namespace fetches from nginx in a server namespace through two fernet
        // sidecars, request after request; a sidecar of the ice strategy gets nothing and the server sidecar logs
        // it as the other crypto strategy; neither log holds the key.
        try (NamespaceLab lab = new NamespaceLab()) {
            String server = lab.host("server", 44);
            String client = lab.host("client", 45);
            String tlsClient = lab.host("tls-client", 46);
            lab.startNginx(server, Files.createDirectories(work.resolve("nginx")), PAGE);
            Path serverLog = startSidecar(lab, server, "server", "server:tcp:80", "fernet");
            Path clientLog = startSidecar(lab, client, "client", "client:tcp:80", "fernet");
            Path tlsLog = startSidecar(lab, tlsClient, "tls-client", "client:tcp:80", "ice");
            for (Path log : List.of(serverLog, clientLog, tlsLog)) {
                awaitLog(log, "ready:");
            }

            for (int i = 0; i < 20; i++) {
                assertEquals(PAGE, curl(client).strip());
            }
            assertNotEquals(PAGE, curl(tlsClient).strip());

            awaitLog(serverLog, "other crypto strategy (the peer speaks TLS (ICE_CRYPTO_STRATEGY=ice)");
            assertTrue(read(clientLog).contains("fernet AES_128_CBC_HMAC_SHA256"), read(clientLog));
            for (Path log : List.of(serverLog, clientLog)) {
                assertFalse(read(log).contains(KEY_HEX), "the key reached " + log);
            }
            LogScan.assertNoKeyMaterial(List.of(serverLog, clientLog, tlsLog));
        }
    }

    private Path startSidecar(NamespaceLab lab, String namespace, String name, String roles, String strategy)
            throws IOException {
        Path log = work.resolve(name + ".log");
        Map<String, String> environment = Map.of("ICE_ROLES", roles, "ICE_CRYPTO_STRATEGY", strategy,
            "ICE_ENCRYPTION_ENABLED", "True", "ICE_PRESHARED_KEY", "hex:" + KEY_HEX, "ICE_IPV6", "off");
        lab.start(namespace, environment, log.toFile(), ROOT.resolve("bin/icetunnel").toString(), "sidecar");
        return log;
    }

    private static String curl(String namespace) throws IOException, InterruptedException {
        Process curl = new ProcessBuilder("ip", "netns", "exec", namespace, "curl", "-sS", "-m", "5",
            "http://" + NamespaceLab.PREFIX + "44/").redirectErrorStream(true).start();
        String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        curl.waitFor(10, TimeUnit.SECONDS);
        return output;
    }

    private static void awaitLog(Path log, String text) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            if (read(log).contains(text)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("'" + text + "' not in " + log + ":\n" + read(log));
    }

    private static String read(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }
}
