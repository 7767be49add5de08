package dev.ice.sidecar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The tunnel example's PROXY protocol variant in network namespaces: haproxy names the client in a v2 header, the
 * server's sidecar requires that header from haproxy alone and names the client again to nginx, which listens with
 * {@code proxy_protocol}. haproxy health-checks the server every 10 ms, each check a LOCAL header and a reset.
 */
@Tag("namespace")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TunnelProxyProtocolIT {

    private static final int CHECKS = 1000;
    private static final String PROBE = ": probe (";

    private static TunnelExample example;

    @BeforeAll
    static void up() throws Exception {
        example = TunnelExample.up("tunnel", Map.of("ICE_EXAMPLE_PROXY_PROTOCOL", "1",
            "ICE_EXAMPLE_HAPROXY_CHECK_INTER", "10ms", "ICE_LOG_LEVEL", "DEBUG"));
    }

    @AfterAll
    static void down() throws Exception {
        if (example != null) {
            example.close();
        }
    }

    @Test
    void nginxLogsTheClientNamespacesAddressNotHaproxys() throws Exception {
        // Proves: a request through haproxy reaches nginx with the client namespace's address, carried from
        // haproxy's header through TLS to the server's sidecar and on in the sidecar's own header; the sidecar's
        // open line names the client too.
        String client = example.get("ICE_ADDR_CLIENT");
        String haproxy = example.get("ICE_ADDR_HAPROXY");
        String path = "/?through-haproxy=" + UUID.randomUUID();

        String response = get("CLIENT", example.get("ICE_TARGET"), path);

        assertTrue(response.startsWith("HTTP/1.1 200"), response);
        String line = example.awaitLogLines("ICE_SERVICE_ACCESS_LOG", path, 1, Duration.ofSeconds(10)).getFirst();
        assertTrue(line.startsWith("client " + client + " (PROXY header " + client + ":"), line);
        assertFalse(line.contains("client " + haproxy), line);
        example.awaitLogLines("ICE_SIDECAR_LOG_SERVER", "open server " + client + ":", 1, Duration.ofSeconds(10))
            .forEach(open -> assertTrue(open.contains(" via " + haproxy + ":"), open));
    }

    @Test
    void connectionWithoutAHeaderIsRefusedWhenOneIsRequired() throws Exception {
        // Proves: a keyed client that goes straight to the server, past haproxy, is refused before nginx sees a
        // byte, and the server's sidecar says why at INFO.
        String path = "/?past-haproxy=" + UUID.randomUUID();

        String response = get("CLIENT", example.get("ICE_ADDR_SERVER") + ":" + example.get("ICE_PORT"), path);

        assertFalse(response.contains("HTTP/"), response);
        List<String> refusals = example.awaitLogLines("ICE_SIDECAR_LOG_SERVER", "PROXY header missing", 1,
            Duration.ofSeconds(10));
        assertTrue(refusals.getFirst().contains(" INFO "), refusals.getFirst());
        assertTrue(refusals.getFirst().contains("from " + example.get("ICE_ADDR_CLIENT") + ":"), refusals.getFirst());
        assertEquals(List.of(), example.logLines("ICE_SERVICE_ACCESS_LOG", path));
    }

    @Test
    void headerFromAnUntrustedSourceIsRefused() throws Exception {
        // Proves: the outsider, which is not haproxy, cannot name a client of its choosing: its header is refused
        // and nginx never logs the address it claimed.
        String spoofed = "203.0.113.9";
        String server = example.get("ICE_ADDR_SERVER");
        String path = "/?spoofed=" + UUID.randomUUID();
        byte[] request = ("PROXY TCP4 " + spoofed + " " + server + " 5555 9001\r\nGET " + path
            + " HTTP/1.0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

        String response = example.run("OUTSIDER", request, "socat", "-t", "5", "-T", "5", "-",
            "TCP:" + server + ":" + example.get("ICE_PORT"));

        assertFalse(response.contains("HTTP/"), response);
        String refusal = example.awaitLogLines("ICE_SIDECAR_LOG_SERVER", "PROXY header from an untrusted source", 1,
            Duration.ofSeconds(10)).getFirst();
        assertTrue(refusal.contains(" INFO ") && refusal.contains(example.get("ICE_ADDR_OUTSIDER")), refusal);
        assertEquals(List.of(), example.logLines("ICE_SERVICE_ACCESS_LOG", path));
        assertEquals(List.of(), example.logLines("ICE_SERVICE_ACCESS_LOG", spoofed));
    }

    @Test
    void aThousandHealthChecksAreProbesAtDebugAndASlowDownloadCarriesOnIntact() throws Exception {
        // Proves: haproxy's checks with send-proxy-v2 (a LOCAL header, then a reset) reach the server's sidecar
        // and are each logged as a probe at DEBUG, with no warning; a download that is still running while 1,000 of
        // them arrive ends intact (SHA-256 against the file nginx serves).
        Path bigFile = Path.of(example.get("ICE_BIG_FILE"));
        long probesBefore = example.logLines("ICE_SIDECAR_LOG_SERVER", PROBE).size();
        ByteArrayOutputStream download = new ByteArrayOutputStream();

        try (SocatStream live = SocatStream.open(example, "CLIENT", example.get("ICE_TARGET"))) {
            live.out().write("GET /big.bin HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            live.out().flush();
            InputStream in = live.in();
            // About 400 KB/s: the 16 MiB file takes some 40 s, longer than the checks need.
            while (example.logLines("ICE_SIDECAR_LOG_SERVER", PROBE).size() < probesBefore + CHECKS) {
                byte[] chunk = in.readNBytes(8 * 1024);
                assertTrue(chunk.length > 0, "the download ended before " + CHECKS + " checks had come");
                download.write(chunk);
                Thread.sleep(20);
            }
            assertTrue(download.size() < Files.size(bigFile), "the download was not live during the checks");
            live.out().close();
            download.write(in.readAllBytes());
        }

        assertArrayEquals(TunnelExampleIT.sha256(Files.readAllBytes(bigFile)), TunnelExampleIT.sha256(body(download)));
        List<String> probes = example.logLines("ICE_SIDECAR_LOG_SERVER", PROBE);
        assertTrue(probes.stream().allMatch(line -> line.contains(" DEBUG handshake ")), probes.getFirst());
        assertEquals(List.of(), example.logLines("ICE_SIDECAR_LOG_SERVER", " WARN "), "server sidecar warnings");
        assertEquals(List.of(), example.logLines("ICE_HAPROXY_LOG", "is DOWN"), "haproxy saw the server down");
    }

    private static String get(String role, String target, String path) throws IOException, InterruptedException {
        byte[] request = ("GET " + path + " HTTP/1.0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        return example.run(role, request, "socat", "-t", "5", "-T", "5", "-", "TCP:" + target);
    }

    // An HTTP/1.0 response: the headers end at the first empty line, and the body runs to the end of the stream.
    private static byte[] body(ByteArrayOutputStream response) {
        byte[] bytes = response.toByteArray();
        byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        int headersEnd = TunnelExampleIT.indexOf(bytes, end);
        assertTrue(headersEnd > 0, "no HTTP headers in " + bytes.length + " bytes");
        return Arrays.copyOfRange(bytes, headersEnd + end.length, bytes.length);
    }
}
