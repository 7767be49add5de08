package dev.ice.sidecar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tunnel example in network namespaces: haproxy, which is not part of ICE, relays the TLS stream between a
 * client's and a server's sidecar, and health-checks the server every 10 ms.
 */
@Tag("namespace")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TunnelExampleIT {

    private static final int SIXTEEN_MIB = 16 * 1024 * 1024;
    private static final int CHECKS = 1000;

    private static TunnelExample example;

    @TempDir
    static Path work;

    @BeforeAll
    static void up() throws Exception {
        example = TunnelExample.up("tunnel",
            Map.of("ICE_EXAMPLE_HAPROXY_CHECK_INTER", "10ms", "ICE_LOG_LEVEL", "DEBUG"));
    }

    @AfterAll
    static void down() throws Exception {
        if (example != null) {
            example.close();
        }
    }

    @Test
    void sixteenMebibytesGoOutAndBackThroughHaproxyAndNeitherOfItsLegsCarriesPlaintext() throws Exception {
        // Proves: 16 MiB sent from the client namespace to haproxy's address comes back from the echo server
        // intact (SHA-256), and a capture of both of haproxy's connections (client to haproxy, haproxy to server)
        // holds their bulk traffic but not the marker that fills the plaintext.
        byte[] marker = example.get("ICE_MARKER").getBytes(StandardCharsets.US_ASCII);
        byte[] data = markedRandom(SIXTEEN_MIB, marker);
        Path pcap = work.resolve("haproxy-legs.pcap");

        byte[] back;
        String capture;
        try (Capture legs = Capture.packets(example.get("ICE_BRIDGE_PORT_HAPROXY"), "tcp port 9001", pcap)) {
            back = echo(data);
            legs.close();
            capture = legs.report();
        }

        assertEquals(data.length, back.length, "bytes echoed back");
        assertArrayEquals(sha256(data), sha256(back), "SHA-256 of what came back");
        // A veth carries segments of up to 64 KiB (GSO), so 16 MiB is at least 256 of them on each leg.
        assertTrue(dataPackets(pcap, "CLIENT", "HAPROXY") > 200, "client-to-haproxy leg missing: " + capture);
        assertTrue(dataPackets(pcap, "HAPROXY", "SERVER") > 200, "haproxy-to-server leg missing: " + capture);
        assertFalse(indexOf(Files.readAllBytes(pcap), marker) >= 0, "plaintext marker seen on haproxy's legs");
        example.awaitLogLines("ICE_SIDECAR_LOG_SERVER", "close server closed: up " + SIXTEEN_MIB + " B, down "
            + SIXTEEN_MIB + " B", 1, Duration.ofSeconds(10));
    }

    @Test
    void aThousandHealthChecksLeaveNoWarningAndALiveConnectionCarriesOnIntact() throws Exception {
        // Proves: while haproxy health-checks the server 1,000 times (connect, then reset), a connection carrying
        // data the whole time is echoed back intact, haproxy never marks the server down, and neither sidecar
        // logs a warning: a check is never mistaken for a failure.
        Path syns = work.resolve("checks.txt");
        String checkFilter = "src host " + example.get("ICE_ADDR_HAPROXY") + " and dst host "
            + example.get("ICE_ADDR_SERVER") + " and tcp dst port 9001 and tcp[tcpflags] & tcp-syn != 0";
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        MessageDigest received = MessageDigest.getInstance("SHA-256");
        AtomicLong receivedBytes = new AtomicLong();
        long sentBytes = 0;

        try (Capture checks = Capture.lines(example.get("ICE_BRIDGE_PORT_HAPROXY"), checkFilter, syns);
             SocatStream live = SocatStream.open(example, "CLIENT", example.get("ICE_TARGET"))) {
            Thread reader = Thread.ofVirtual().start(() -> digestAll(live.in(), received, receivedBytes));
            Random random = new Random(11);
            byte[] chunk = new byte[16 * 1024];
            Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
            // The live connection's own SYN is one of those counted.
            while (checks.count() <= CHECKS && Instant.now().isBefore(deadline)) {
                random.nextBytes(chunk);
                live.out().write(chunk);
                sent.update(chunk);
                sentBytes += chunk.length;
                Thread.sleep(10);
            }
            assertTrue(checks.count() > CHECKS, "only " + checks.count() + " checks within 90 s");
            live.out().close();
            reader.join(Duration.ofSeconds(60));
        }

        assertEquals(sentBytes, receivedBytes.get(), "bytes echoed back on the live connection");
        assertArrayEquals(sent.digest(), received.digest(), "SHA-256 of the live connection's echo");
        assertEquals(List.of(), example.logLines("ICE_SIDECAR_LOG_SERVER", " WARN "), "server sidecar warnings");
        assertEquals(List.of(), example.logLines("ICE_SIDECAR_LOG_CLIENT", " WARN "), "client sidecar warnings");
        assertEquals(List.of(), example.logLines("ICE_HAPROXY_LOG", "is DOWN"), "haproxy saw the server down");
    }

    private static byte[] echo(byte[] data) throws Exception {
        try (SocatStream stream = SocatStream.open(example, "CLIENT", example.get("ICE_TARGET"))) {
            Thread writer = Thread.ofVirtual().start(() -> writeAndClose(stream.out(), data));
            byte[] back = stream.in().readAllBytes();
            writer.join();
            return back;
        }
    }

    // Counts packets of one leg that carry data (over 1000 bytes), leaving out the checks' empty SYNs and RSTs.
    private static long dataPackets(Path pcap, String from, String to) throws IOException, InterruptedException {
        String filter = "src host " + example.get("ICE_ADDR_" + from) + " and dst host " + example.get("ICE_ADDR_" + to)
            + " and greater 1000";
        Process reader = new ProcessBuilder("tcpdump", "-r", pcap.toString(), "-n", "-q", filter)
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long count;
        try (var lines = reader.inputReader().lines()) {
            count = lines.count();
        }
        reader.waitFor(30, TimeUnit.SECONDS);
        return count;
    }

    // Random bytes with the marker at the start of every 4 KiB, so that any plaintext segment would show it whole.
    private static byte[] markedRandom(int size, byte[] marker) {
        byte[] data = new byte[size];
        new Random(5).nextBytes(data);
        for (int offset = 0; offset + marker.length <= size; offset += 4096) {
            System.arraycopy(marker, 0, data, offset, marker.length);
        }
        return data;
    }

    private static void writeAndClose(OutputStream out, byte[] data) {
        try (out) {
            out.write(data);
        } catch (IOException e) {
            // The reader sees a short stream and the digests differ.
        }
    }

    private static void digestAll(InputStream in, MessageDigest digest, AtomicLong bytes) {
        byte[] buffer = new byte[64 * 1024];
        try {
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                digest.update(buffer, 0, read);
                bytes.addAndGet(read);
            }
        } catch (IOException e) {
            // The byte count shows what was lost.
        }
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }
}
