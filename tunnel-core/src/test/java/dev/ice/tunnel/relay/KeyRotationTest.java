package dev.ice.tunnel.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ice.tunnel.ConnectionOutcome;
import dev.ice.tunnel.key.KeyRing;
import dev.ice.tunnel.key.LiveKeyRing;
import dev.ice.tunnel.key.PresharedKey;
import dev.ice.tunnel.tls.TlsPolicy;
import dev.ice.tunnel.tls.TlsPskContext;

/** Key files with several keys: the client offers the first, the server accepts any, and a fleet rotates. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KeyRotationTest {

    private static final String OLD = "ice-2026:hex:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    private static final String NEW = "ice-2027:hex:ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void rotatingAcrossTheThreeStepsLosesNoConnection() throws Exception {
        // Proves: with a server and two clients each reloading its own key file, the README's procedure (add the
        // new key second everywhere, move it first everywhere, remove the old one), applied member by member with
        // traffic in between, fails no new connection and leaves a connection opened before it working.
        List<Path> files = List.of(dir.resolve("server"), dir.resolve("client-a"), dir.resolve("client-b"));
        for (Path file : files) {
            Files.writeString(file, OLD + "\n");
        }
        List<LiveKeyRing> rings = new ArrayList<>();
        for (Path file : files) {
            rings.add(LiveKeyRing.fromFile(file, "ice", warning -> { }));
        }
        try (Backend echo = Backend.echo(); Transport transport = Transport.start(2)) {
            Tunnel server = Tunnel.start(TunnelPair.config(TunnelMode.SERVER, echo.address(), Duration.ZERO),
                new TlsPskContext(rings.get(0), TlsPolicy.DEFAULT), ConnectionListener.NONE, transport);
            List<Tunnel> clients = List.of(client(server, rings.get(1), transport),
                client(server, rings.get(2), transport));
            try (Socket live = TunnelPair.connect(clients.get(0));
                 Traffic traffic = new Traffic(clients)) {
                assertEcho(live, "opened before the rotation");

                rotate(files, rings, OLD + "\n" + NEW + "\n", traffic);
                rotate(files, rings, NEW + "\n" + OLD + "\n", traffic);
                rotate(files, rings, NEW + "\n", traffic);

                assertEcho(live, "still open after it");
                traffic.stop();
                assertEquals(0, traffic.failures.get(), "connections failed during the rotation");
                assertTrue(traffic.successes.get() >= 30, "too little traffic: " + traffic.successes.get());
            }
            assertOldKeyIsGone(server, transport);
            clients.forEach(Tunnel::close);
            server.close();
        }
    }

    @Test
    void aServerAcceptsAClientOfferingAnyOfItsKeys() throws Exception {
        // Proves: clients offering either key of a server's two are both let through; TLS 1.2 is proved against
        // OpenSSL in the interop tests.
        PresharedKey first = new PresharedKey("first", TunnelPair.KEY);
        PresharedKey second = new PresharedKey("second", "fedcba9876543210fedcba9876543210".getBytes());
        try (Backend echo = Backend.echo(); Transport transport = Transport.start(1)) {
            Tunnel server = Tunnel.start(TunnelPair.config(TunnelMode.SERVER, echo.address(), Duration.ZERO),
                new TlsPskContext(() -> KeyRing.of(List.of(first, second)), TlsPolicy.DEFAULT),
                ConnectionListener.NONE, transport);
            for (PresharedKey key : List.of(first, second)) {
                try (Tunnel client = clientOf(server, new TlsPskContext(key, TlsPolicy.DEFAULT),
                         ConnectionListener.NONE, transport);
                     Socket socket = TunnelPair.connect(client)) {
                    assertEcho(socket, key.identity());
                }
            }
            server.close();
        }
    }

    private void rotate(List<Path> files, List<LiveKeyRing> rings, String content, Traffic traffic)
            throws Exception {
        for (int member = 0; member < files.size(); member++) {
            Files.writeString(files.get(member), content);
            assertTrue(rings.get(member).reload(), "member " + member + " did not reload");
            traffic.awaitMore(5);
        }
    }

    private static void assertOldKeyIsGone(Tunnel server, Transport transport) throws Exception {
        RecordingListener events = new RecordingListener();
        PresharedKey old = KeyRingOf.line(OLD);
        try (Tunnel stale = clientOf(server, new TlsPskContext(old, TlsPolicy.DEFAULT), events, transport);
             Socket socket = TunnelPair.connect(stale)) {
            try {
                socket.getOutputStream().write(1);
                assertEquals(-1, socket.getInputStream().read());
            } catch (SocketException reset) {
                // Refused with a reset: nothing got through either way.
            }
            assertEquals(ConnectionOutcome.KEY_REJECTED_BY_PEER, events.nextClosed(WAIT));
        }
    }

    private static Tunnel client(Tunnel server, LiveKeyRing keys, Transport transport) {
        return clientOf(server, new TlsPskContext(keys, TlsPolicy.DEFAULT), ConnectionListener.NONE, transport);
    }

    private static Tunnel clientOf(Tunnel server, TlsPskContext tls, ConnectionListener listener,
            Transport transport) {
        return Tunnel.start(TunnelPair.config(TunnelMode.CLIENT, server.localAddress(), Duration.ZERO), tls,
            listener, transport);
    }

    private static void assertEcho(Socket socket, String text) throws IOException {
        byte[] sent = text.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(sent);
        assertEquals(text, new String(socket.getInputStream().readNBytes(sent.length), StandardCharsets.UTF_8));
    }

    /** Parses one key file line, as the tunnels read it. */
    private static final class KeyRingOf {
        static PresharedKey line(String line) {
            return dev.ice.tunnel.key.KeyFile.parse(line, "test", "ice", warning -> { }).offered();
        }
    }

    /** New connections through each client, one after another, each carrying one request and its echo. */
    private static final class Traffic implements AutoCloseable {

        final AtomicInteger successes = new AtomicInteger();
        final AtomicInteger failures = new AtomicInteger();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();

        Traffic(List<Tunnel> clients) {
            for (Tunnel client : clients) {
                threads.add(Thread.ofVirtual().start(() -> loop(client)));
            }
        }

        void awaitMore(int count) throws InterruptedException {
            int target = successes.get() + failures.get() + count;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (successes.get() + failures.get() < target && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread thread : threads) {
                thread.join(WAIT.toMillis());
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }

        private void loop(Tunnel client) {
            for (int i = 0; running.get() && i < 10_000; i++) {
                if (exchange(client, "request " + i)) {
                    successes.incrementAndGet();
                } else {
                    failures.incrementAndGet();
                }
            }
        }

        private static boolean exchange(Tunnel client, String request) {
            try (Socket socket = TunnelPair.connect(client)) {
                socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
                socket.shutdownOutput();
                return request.equals(new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                return false;
            }
        }
    }
}
