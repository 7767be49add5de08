package dev.ice.sidecar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nginx example with its sidecars, seen by a user: curl in the client namespace fetches the page and a 10 MiB
 * file from nginx in the server namespace while tcpdump watches the bridge, and an outsider without ICE tries too.
 *
 * <p>The requests run once, before the tests; each test then checks one promise against what happened. A subclass
 * says whether the client uses the IPv4 or the IPv6 address.
 */
@Tag("namespace")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
abstract class NginxScenario {

    /** The address after "->" in a connection line: "-> 198.18.0.11:80" or "-> [2001:db8::11]:80". */
    private static final Pattern DESTINATION = Pattern.compile("-> \\[?([0-9a-fA-F.:]+?)]?:(\\d+) ");

    /** The peer's address in a refusal line: "from 198.18.0.13:57468 to ...". */
    private static final Pattern SOURCE = Pattern.compile("from \\[?([0-9a-fA-F.:]+?)]?:\\d+ ");

    /** Sent by the client in the URL and a header: it must never cross the bridge in clear. */
    private final String requestMarker = "ICE-REQUEST-MARKER-" + UUID.randomUUID();

    /** Sent by the outsider, which has no sidecar: it crosses the bridge in clear, which shows the capture works. */
    private final String outsiderMarker = "ICE-OUTSIDER-MARKER-" + UUID.randomUUID();

    Example example;
    private Path work;
    private Commands.Result bigFile;
    private Commands.Result page;
    private Commands.Result outsider;
    private byte[] servedDigest;
    private BridgeCapture capture;
    private List<String> clientLog;

    /** @return whether the client and the outsider use the server's IPv6 address */
    abstract boolean ipv6();

    @BeforeAll
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void fetchThroughTheSidecarsWhileCapturingTheBridge(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir)
            throws Exception {
        work = dir;
        example = Example.up("nginx", ipv6());
        servedDigest = sha256(Path.of(example.env("ICE_RUN_DIR"), "www", example.env("ICE_BIG_FILE")));

        capture = BridgeCapture.start(example.env("ICE_BRIDGE"), work);
        bigFile = curl("CLIENT", requestMarker, "-o", work.resolve("big.bin").toString(), "-w", "%{http_code}",
            url() + example.env("ICE_BIG_FILE") + "?probe=" + requestMarker);
        page = curl("CLIENT", requestMarker, url() + "?probe=" + requestMarker);
        outsider = curl("OUTSIDER", outsiderMarker, "-o", "/dev/null", "-w", "%{http_code}",
            url() + "?probe=" + outsiderMarker);
        outsiderRefusal();
        capture.stop();

        clientLog = example.sidecarLog("CLIENT");
    }

    @AfterAll
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void removeTheExample() {
        try {
            if (capture != null) {
                capture.close();
            }
        } finally {
            if (example != null) {
                example.close();
            }
        }
    }

    @Test
    void aTenMebibyteFileArrivesIntactThroughBothSidecars() throws Exception {
        // Proves: a large response, many TLS records long, reaches curl byte for byte as nginx serves it.
        assertEquals(0, bigFile.exitCode(), bigFile.describe());
        assertEquals("200", bigFile.stdout());
        Path fetched = work.resolve("big.bin");
        assertEquals(Long.parseLong(example.env("ICE_BIG_FILE_BYTES")), Files.size(fetched));
        assertArrayEquals(servedDigest, sha256(fetched), "SHA-256 of the fetched file differs from the served one");
    }

    @Test
    void thePageReachesTheClientUnchanged() {
        // Proves: an ordinary request through both sidecars gets nginx's page, marker included.
        assertEquals(0, page.exitCode(), page.describe());
        assertTrue(page.stdout().contains(example.env("ICE_MARKER")), page.stdout());
    }

    @Test
    void anOutsiderWithoutIceGetsNoHttpResponseAndNginxNeverSeesItsRequest() throws IOException {
        // Proves: plaintext from a namespace without the key is refused by the server's sidecar before nginx.
        assertNotEquals(0, outsider.exitCode(), outsider.describe());
        assertEquals("000", outsider.stdout(), "curl's %{http_code} when no HTTP response came");
        String accessLog = Files.readString(Path.of(example.env("ICE_SERVICE_ACCESS_LOG")));
        assertFalse(accessLog.contains(outsiderMarker), accessLog);
        assertTrue(accessLog.contains(requestMarker), "the client's requests reached nginx:\n" + accessLog);
    }

    @Test
    void theBridgeNeverCarriesTheRequestOrThePageInPlaintext() {
        // Proves: an eavesdropper on the containers' network sees neither the request nor the page.
        assertTrue(capture.contains(outsiderMarker), "the capture saw no plaintext at all, so it proves nothing: "
            + capture.summary());
        assertTrue(capture.size() > Long.parseLong(example.env("ICE_BIG_FILE_BYTES")),
            "the capture missed the 10 MiB transfer: " + capture.summary());

        assertFalse(capture.contains(requestMarker), "the client's request crossed the bridge in plaintext");
        assertFalse(capture.contains(example.env("ICE_MARKER")), "the page crossed the bridge in plaintext");
    }

    @Test
    void theClientSidecarOpensOneConnectionPerRequestAndNeverInterceptsItself() {
        // Proves: each request is intercepted once; the sidecar's own TLS connection to port 80 is not taken again.
        List<String> opened = clientLog.stream().filter(line -> line.contains(" open client ")).toList();

        assertEquals(2, opened.size(), "two requests, so two connections:\n" + String.join("\n", clientLog));
        for (String line : opened) {
            assertEquals(parse(address("SERVER")), destinationOf(line), line);
            assertTrue(line.contains("TLSv1.3"), line);
        }
    }

    @Test
    void theServerSidecarLogsTheOutsiderAsNotTls() {
        // Proves: the refusal is visible to an operator, with the outsider's address.
        String line = outsiderRefusal();

        assertTrue(line.contains("first byte 0x47"), "the outsider's 'G' of GET: " + line);
    }

    /** @return the server's URL for this family, e.g. http://198.18.0.11/ */
    String url() {
        return example.env(ipv6() ? "ICE_URL6" : "ICE_URL");
    }

    /** @return a role's address in this family */
    String address(String role) {
        return example.env((ipv6() ? "ICE_ADDR6_" : "ICE_ADDR_") + role);
    }

    private Commands.Result curl(String role, String marker, String... arguments) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-g", "--max-time", "30",
            "-H", "X-Ice-Probe: " + marker));
        command.addAll(List.of(arguments));
        return example.run(role, command.toArray(String[]::new));
    }

    /** Waits for the server sidecar's line refusing the outsider's connection as not TLS. */
    private String outsiderRefusal() {
        InetAddress outsiderAddress = parse(address("OUTSIDER"));
        return example.awaitSidecarLog("SERVER", "a 'not TLS' line from " + outsiderAddress, line -> {
            Matcher source = SOURCE.matcher(line);
            return line.contains("not TLS") && source.find() && parse(source.group(1)).equals(outsiderAddress);
        });
    }

    private static InetAddress destinationOf(String line) {
        Matcher matcher = DESTINATION.matcher(line);
        assertTrue(matcher.find(), "no destination in: " + line);
        assertEquals("80", matcher.group(2), line);
        return parse(matcher.group(1));
    }

    /** Addresses are compared as addresses: the log writes IPv6 in Java's long form, run.sh in the short one. */
    private static InetAddress parse(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError("not an address: " + literal, e);
        }
    }

    private static byte[] sha256(Path file) throws IOException, NoSuchAlgorithmException {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                digest.update(buffer, 0, read);
            }
        }
        return digest.digest();
    }
}
