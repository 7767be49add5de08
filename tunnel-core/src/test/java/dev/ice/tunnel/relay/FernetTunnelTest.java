package dev.ice.tunnel.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ice.tunnel.ConnectionOutcome;
import dev.ice.tunnel.CryptoStrategy;
import dev.ice.tunnel.fernet.FernetContext;
import dev.ice.tunnel.key.KeyRing;
import dev.ice.tunnel.key.PresharedKey;
import dev.ice.tunnel.tls.TlsPolicy;
import dev.ice.tunnel.tls.TlsPskContext;

/** The fernet strategy through the shared relay: data, half-close, refusals, and peers of the other strategy. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FernetTunnelTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final PresharedKey KEY = new PresharedKey("ice", TunnelPair.KEY);

    @Test
    void dataCrossesIntactBothWaysAndAHalfCloseStillGetsTheWholeReply() throws Exception {
        // Proves: 4 MiB sent through a fernet pair and closed for writing come back whole from an echo service
        // (many tokens each way, END tokens ending each direction), and both sides log a clean close.
        byte[] data = new byte[4 * 1024 * 1024];
        new Random(7).nextBytes(data);
        try (Backend echo = Backend.echo(); Pair pair = new Pair(echo, fernet(KEY), fernet(KEY));
             Socket app = TunnelPair.connect(pair.client)) {
            Thread writer = Thread.ofVirtual().start(() -> writeAndShut(app, data));
            byte[] back = app.getInputStream().readAllBytes();
            writer.join();

            assertArrayEquals(data, back);
            assertEquals("fernet AES_128_CBC_HMAC_SHA256", pair.clientEvents.nextOpened(WAIT));
            assertEquals(ConnectionOutcome.CLOSED, pair.serverEvents.nextClosed(WAIT));
            assertEquals(ConnectionOutcome.CLOSED, pair.clientEvents.nextClosed(WAIT));
        }
    }

    @Test
    void aWrongKeyIsRefusedBeforeAnyBackendConnection() throws Exception {
        // Proves: a client with another key under the same identity is refused by the server, says the server
        // rejected its key, and the service never sees a connection.
        PresharedKey other = new PresharedKey("ice", "fedcba9876543210fedcba9876543210".getBytes());
        AtomicInteger accepted = new AtomicInteger();
        try (Backend counting = new Backend(socket -> accepted.incrementAndGet());
             Pair pair = new Pair(counting, fernet(KEY), fernet(other));
             Socket app = TunnelPair.connect(pair.client)) {
            assertNothingThrough(app);

            assertEquals(ConnectionOutcome.BAD_KEY, pair.serverEvents.nextClosed(WAIT));
            assertEquals(ConnectionOutcome.KEY_REJECTED_BY_PEER, pair.clientEvents.nextClosed(WAIT));
            assertEquals(0, accepted.get());
        }
    }

    @Test
    void anIdentityTheServerDoesNotHoldIsRefusedAsSuch() throws Exception {
        // Proves: the right key under an unknown identity is refused and named as an unknown identity.
        try (Backend echo = Backend.echo();
             Pair pair = new Pair(echo, fernet(KEY), fernet(new PresharedKey("stranger", TunnelPair.KEY)));
             Socket app = TunnelPair.connect(pair.client)) {
            assertNothingThrough(app);

            assertEquals(ConnectionOutcome.UNKNOWN_IDENTITY, pair.serverEvents.nextClosed(WAIT));
            assertEquals(ConnectionOutcome.KEY_REJECTED_BY_PEER, pair.clientEvents.nextClosed(WAIT));
        }
    }

    @Test
    void aServerAcceptsAnyKeyOfItsRing() throws Exception {
        // Proves: key rotation works for fernet as for TLS: a client offering the server's second key gets in.
        PresharedKey second = new PresharedKey("ice-2027", "fedcba9876543210fedcba9876543210".getBytes());
        FernetContext server = new FernetContext(() -> KeyRing.of(List.of(KEY, second)), WAIT);
        try (Backend echo = Backend.echo(); Pair pair = new Pair(echo, server, fernet(second));
             Socket app = TunnelPair.connect(pair.client)) {
            app.getOutputStream().write("rotated".getBytes(StandardCharsets.UTF_8));
            assertEquals("rotated", new String(app.getInputStream().readNBytes(7), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aTlsClientAtAFernetServerIsNamedAsTheOtherStrategy() throws Exception {
        // Proves: a ClientHello arriving at a fernet server is logged as the other strategy, not as garbage.
        try (Backend echo = Backend.echo();
             Pair pair = new Pair(echo, fernet(KEY), new TlsPskContext(KEY, TlsPolicy.DEFAULT));
             Socket app = TunnelPair.connect(pair.client)) {
            assertNothingThrough(app);

            assertEquals(ConnectionOutcome.OTHER_STRATEGY, pair.serverEvents.nextClosed(WAIT));
        }
    }

    @Test
    void aFernetClientAtATlsServerIsNamedAsTheOtherStrategy() throws Exception {
        // Proves: a fernet preamble arriving at a TLS server is logged as the other strategy, not as "not TLS".
        try (Backend echo = Backend.echo();
             Pair pair = new Pair(echo, new TlsPskContext(KEY, TlsPolicy.DEFAULT), fernet(KEY));
             Socket app = TunnelPair.connect(pair.client)) {
            assertNothingThrough(app);

            assertEquals(ConnectionOutcome.OTHER_STRATEGY, pair.serverEvents.nextClosed(WAIT));
        }
    }

    static FernetContext fernet(PresharedKey key) {
        return new FernetContext(() -> KeyRing.of(key), WAIT);
    }

    private static void assertNothingThrough(Socket app) throws IOException {
        try {
            app.getOutputStream().write("let me in".getBytes(StandardCharsets.UTF_8));
            assertEquals(-1, app.getInputStream().read());
        } catch (SocketException reset) {
            // Refused with a reset: nothing got through either way.
        }
    }

    private static void writeAndShut(Socket socket, byte[] data) {
        try {
            OutputStream out = socket.getOutputStream();
            out.write(data);
            socket.shutdownOutput();
        } catch (IOException e) {
            // The reader sees the short stream and the test fails on it.
        }
    }

    /** A client tunnel and a server tunnel on loopback, each with its own strategy, in front of a backend. */
    static final class Pair implements AutoCloseable {

        final Transport transport = Transport.start(2);
        final RecordingListener serverEvents = new RecordingListener();
        final RecordingListener clientEvents = new RecordingListener();
        final Tunnel server;
        final Tunnel client;

        Pair(Backend backend, CryptoStrategy serverStrategy, CryptoStrategy clientStrategy) {
            server = Tunnel.start(TunnelPair.config(TunnelMode.SERVER, backend.address(), Duration.ZERO),
                serverStrategy, serverEvents, transport);
            client = Tunnel.start(TunnelPair.config(TunnelMode.CLIENT, server.localAddress(), Duration.ZERO),
                clientStrategy, clientEvents, transport);
        }

        @Override
        public void close() {
            client.close();
            server.close();
            transport.close();
        }
    }
}
