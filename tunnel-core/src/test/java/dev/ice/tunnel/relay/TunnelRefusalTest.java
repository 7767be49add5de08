package dev.ice.tunnel.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ice.tunnel.ConnectionOutcome;
import dev.ice.tunnel.key.PresharedKey;
import dev.ice.tunnel.tls.TlsPolicy;
import dev.ice.tunnel.tls.TlsPskContext;

/** Peers without the key, garbage and dying peers are refused, and never take other connections down. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TunnelRefusalTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void wrongKeyIsRefusedAndOtherConnectionsSurvive() throws Exception {
        // Proves: a client with another key gets no data through, each side names the reason, and a connection
        // that was already open keeps working.
        try (Backend echo = Backend.echo();
             TunnelPair pair = new TunnelPair(echo.address());
             Socket good = pair.connectClient()) {
            assertEcho(good, "before");
            byte[] otherKey = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.UTF_8);
            RecordingListener impostorEvents = new RecordingListener();
            try (Tunnel impostor = pair.clientTo(new TlsPskContext(new PresharedKey("ice", otherKey),
                     TlsPolicy.DEFAULT), impostorEvents);
                 Socket refused = TunnelPair.connect(impostor)) {
                assertNoDataThrough(refused);

                assertEquals(ConnectionOutcome.BAD_KEY, pair.serverEvents.nextClosed(WAIT));
                assertEquals(ConnectionOutcome.KEY_REJECTED_BY_PEER, impostorEvents.nextClosed(WAIT));
            }

            assertEcho(good, "after");
        }
    }

    @Test
    void unknownIdentityIsRefusedAndNamed() throws Exception {
        // Proves: the right key offered under an identity the server does not hold is refused as such.
        RecordingListener strangerEvents = new RecordingListener();
        try (Backend echo = Backend.echo();
             TunnelPair pair = new TunnelPair(echo.address());
             Tunnel stranger = pair.clientTo(new TlsPskContext(new PresharedKey("stranger", TunnelPair.KEY),
                 TlsPolicy.DEFAULT), strangerEvents);
             Socket refused = TunnelPair.connect(stranger)) {
            assertNoDataThrough(refused);

            assertEquals(ConnectionOutcome.UNKNOWN_IDENTITY, pair.serverEvents.nextClosed(WAIT));
            assertEquals(ConnectionOutcome.KEY_REJECTED_BY_PEER, strangerEvents.nextClosed(WAIT));
        }
    }

    @Test
    void randomBytesOnTheTlsPortAreRefusedAndOtherConnectionsSurvive() throws Exception {
        // Proves: garbage sent to the server's TLS port is refused as not TLS, whether or not its first byte looks
        // like a handshake record, and an open connection is untouched.
        try (Backend echo = Backend.echo();
             TunnelPair pair = new TunnelPair(echo.address());
             Socket good = pair.connectClient()) {
            assertEcho(good, "before");
            byte[] garbage = new byte[4096];
            new Random(7).nextBytes(garbage);

            garbage[0] = 'G';
            assertRefused(pair, garbage);
            assertEquals(ConnectionOutcome.NOT_TLS, pair.serverEvents.nextClosed(WAIT));

            garbage[0] = 22;
            assertRefused(pair, garbage);
            assertEquals(ConnectionOutcome.TLS_ERROR, pair.serverEvents.nextClosed(WAIT));

            assertEcho(good, "after");
        }
    }

    @Test
    void stalledHandshakeIsDroppedAtTheTimeout() throws Exception {
        // Proves: a peer that connects and says nothing is dropped once the handshake timeout passes.
        TlsPolicy quick = new TlsPolicy(false, false, Duration.ofMillis(300));
        try (Backend echo = Backend.echo();
             TunnelPair pair = new TunnelPair(echo.address(), new PresharedKey("ice", TunnelPair.KEY), quick);
             Socket silent = new Socket(pair.server.localAddress().getAddress(),
                 pair.server.localAddress().getPort())) {
            silent.setSoTimeout(5_000);
            long start = System.nanoTime();

            assertEquals(-1, silent.getInputStream().read());

            long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(waitedMillis >= 250, "closed after " + waitedMillis + " ms, before the timeout");
            assertEquals(ConnectionOutcome.HANDSHAKE_TIMEOUT, pair.serverEvents.nextClosed(WAIT));
        }
    }

    @Test
    void healthChecksThatCloseOrResetWithoutAByteAreProbes() throws Exception {
        // Proves: a peer that connects and closes, or connects and resets as haproxy's checks do, is counted as a
        // probe (logged at DEBUG), not as a reset or an aborted handshake.
        try (Backend echo = Backend.echo();
             TunnelPair pair = new TunnelPair(echo.address())) {
            InetSocketAddress server = pair.server.localAddress();
            try (Socket closes = new Socket(server.getAddress(), server.getPort())) {
                closes.shutdownOutput();
                assertEquals(ConnectionOutcome.PROBE, pair.serverEvents.nextClosed(WAIT));
            }
            try (Socket resets = new Socket(server.getAddress(), server.getPort())) {
                Thread.sleep(50);
                resets.setSoLinger(true, 0);
            }
            assertEquals(ConnectionOutcome.PROBE, pair.serverEvents.nextClosed(WAIT));
        }
    }

    @Test
    void serverThatClosesWithoutAnsweringIsAnAbortedHandshakeForTheClient() throws Exception {
        // Proves: a client tunnel whose server hangs up before a byte of TLS logs it at INFO, not as a probe.
        try (ServerSocket hangsUp = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
             TunnelPair pair = new TunnelPair((InetSocketAddress) hangsUp.getLocalSocketAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket accepted = hangsUp.accept()) {
                    accepted.shutdownOutput();
                    accepted.getInputStream().readAllBytes();
                } catch (IOException e) {
                    // The client's outcome is what the test asserts.
                }
            });
            RecordingListener events = new RecordingListener();
            try (Tunnel client = Tunnel.start(TunnelPair.config(TunnelMode.CLIENT,
                     (InetSocketAddress) hangsUp.getLocalSocketAddress(), Duration.ZERO),
                     new TlsPskContext(new PresharedKey("ice", TunnelPair.KEY), TlsPolicy.DEFAULT), events,
                     pair.transport);
                 Socket app = TunnelPair.connect(client)) {
                assertNoDataThrough(app);

                assertEquals(ConnectionOutcome.HANDSHAKE_ABORTED, events.nextClosed(WAIT));
            }
        }
    }

    @Test
    void resetByTheServiceReachesTheClientAsAReset() throws Exception {
        // Proves: a service that aborts (SO_LINGER 0) makes the application see a reset, not a clean end of stream.
        try (Backend aborter = new Backend(socket -> {
                socket.getInputStream().read();
                socket.setSoLinger(true, 0);
                socket.close();
            });
             TunnelPair pair = new TunnelPair(aborter.address());
             Socket app = pair.connectClient()) {
            app.getOutputStream().write('x');

            assertThrows(SocketException.class, () -> app.getInputStream().readAllBytes());
            assertEquals(ConnectionOutcome.PEER_RESET, pair.serverEvents.nextClosed(WAIT));
        }
    }

    @Test
    void resetByTheApplicationReachesTheServiceAsAReset() throws Exception {
        // Proves: the other direction. An application that aborts makes the service see a reset.
        CompletableFuture<Throwable> seenByService = new CompletableFuture<>();
        try (Backend watcher = new Backend(socket -> {
                try {
                    socket.getOutputStream().write('r');
                    socket.getInputStream().readAllBytes();
                    seenByService.complete(null);
                } catch (IOException e) {
                    seenByService.complete(e);
                }
            });
             TunnelPair pair = new TunnelPair(watcher.address())) {
            Socket app = pair.connectClient();
            assertEquals('r', app.getInputStream().read());
            app.setSoLinger(true, 0);
            app.close();

            Throwable seen = seenByService.get(10, TimeUnit.SECONDS);
            assertTrue(seen instanceof SocketException, "service saw " + seen + " instead of a reset");
        }
    }

    @Test
    void unreachableServiceResetsTheApplication() throws Exception {
        // Proves: when the server tunnel cannot reach its service, the application gets a reset, and the server
        // logs the upstream as unreachable.
        InetSocketAddress closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = (InetSocketAddress) probe.getLocalSocketAddress();
        }
        try (TunnelPair pair = new TunnelPair(closedPort);
             Socket app = pair.connectClient()) {
            assertThrows(SocketException.class, () -> {
                app.getOutputStream().write("hello".getBytes(StandardCharsets.UTF_8));
                app.getInputStream().readAllBytes();
            });
            assertEquals(ConnectionOutcome.UPSTREAM_UNREACHABLE, pair.serverEvents.nextClosed(WAIT));
        }
    }

    private static void assertRefused(TunnelPair pair, byte[] garbage) throws IOException {
        try (Socket raw = new Socket(pair.server.localAddress().getAddress(), pair.server.localAddress().getPort())) {
            raw.setSoTimeout(10_000);
            raw.getOutputStream().write(garbage);
            InputStream in = raw.getInputStream();
            byte[] answer = readUntilClosed(in);
            // At most a TLS alert record (5-byte header, 2-byte alert) comes back, never application data.
            assertTrue(answer.length <= 7, "server answered garbage with " + answer.length + " bytes");
        }
    }

    private static byte[] readUntilClosed(InputStream in) throws IOException {
        try {
            return in.readAllBytes();
        } catch (SocketException reset) {
            return new byte[0];
        }
    }

    private static void assertNoDataThrough(Socket refused) throws IOException {
        try {
            refused.getOutputStream().write("let me in".getBytes(StandardCharsets.UTF_8));
            assertEquals(0, refused.getInputStream().readAllBytes().length);
        } catch (SocketException reset) {
            // A reset is the expected way for the client tunnel to refuse: nothing got through.
        }
    }

    private static void assertEcho(Socket socket, String text) throws IOException {
        byte[] sent = (text + "\n").getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(sent);
        assertEquals(text + "\n", new String(socket.getInputStream().readNBytes(sent.length), StandardCharsets.UTF_8));
    }
}
