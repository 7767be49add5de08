package dev.ice.tunnel.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.event.Level;

import dev.ice.tunnel.ConnectionOutcome;
import dev.ice.tunnel.key.PresharedKey;
import dev.ice.tunnel.proxy.Headers;
import dev.ice.tunnel.proxy.ProxyProtocol;
import dev.ice.tunnel.proxy.ProxyProtocolMode;
import dev.ice.tunnel.proxy.TrustedSources;
import dev.ice.tunnel.tls.TlsPolicy;
import dev.ice.tunnel.tls.TlsPskContext;

/** A server tunnel behind a load balancer that speaks the PROXY protocol, with real sockets on loopback. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProxyProtocolTunnelTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final byte[] CLIENT_HEADER = Headers.v1("TCP4 203.0.113.7 198.18.0.31 51000 9001");
    private static final int V2_IPV4_HEADER_BYTES = 28;

    private final Transport transport = Transport.start(2);
    private final RecordingListener serverEvents = new RecordingListener();
    private final RecordingListener clientEvents = new RecordingListener();

    @Test
    void clientNamedByATrustedBalancerReachesTheServiceInAV2Header() throws Exception {
        // Proves: behind a balancer that sends a v1 header, data crosses TLS both ways, and the service's stream
        // opens with a v2 header naming the client the balancer saw, not the balancer.
        CompletableFuture<byte[]> headerSeen = new CompletableFuture<>();
        try (Backend echo = headerThenEcho(headerSeen);
             Tunnel server = server(echo.address(), ProxyProtocolMode.REQUIRE, "127.0.0.1", true, true);
             HeaderBalancer balancer = new HeaderBalancer(server.localAddress(), CLIENT_HEADER);
             Tunnel client = client(balancer.address(), true);
             Socket app = connect(client)) {
            assertEcho(app, "through the balancer");

            byte[] header = headerSeen.get(10, TimeUnit.SECONDS);
            assertArrayEquals(Headers.v2("203.0.113.7", 51000, "198.18.0.31", 9001), header);
            assertEquals("TLSv1.3 TLS_AES_128_GCM_SHA256", serverEvents.nextOpened(WAIT));
        } finally {
            transport.close();
        }
    }

    @Test
    void streamWithoutHeaderIsRefusedWhenRequiredAndOpenConnectionsSurvive() throws Exception {
        // Proves: a keyed client that bypasses the balancer is refused before any backend connection, both ends
        // say why at INFO, and a connection already open through the balancer keeps working.
        try (Backend echo = headerThenEcho(new CompletableFuture<>());
             Tunnel server = server(echo.address(), ProxyProtocolMode.REQUIRE, "127.0.0.1", true, true);
             HeaderBalancer balancer = new HeaderBalancer(server.localAddress(), CLIENT_HEADER);
             Tunnel viaBalancer = client(balancer.address(), true);
             Socket good = connect(viaBalancer)) {
            assertEcho(good, "before");
            serverEvents.nextOpened(WAIT);
            RecordingListener directEvents = new RecordingListener();
            try (Tunnel direct = Tunnel.start(clientConfig(server.localAddress()), tls(), directEvents, transport);
                 Socket refused = connect(direct)) {
                assertNoDataThrough(refused);

                assertEquals(ConnectionOutcome.PROXY_HEADER_MISSING, serverEvents.nextClosed(WAIT));
                ConnectionOutcome seenByClient = directEvents.nextClosed(WAIT);
                assertEquals(Level.INFO, seenByClient.level(), "the refused client logged " + seenByClient);
            }

            assertEcho(good, "after");
        } finally {
            transport.close();
        }
    }

    @Test
    void headerFromUntrustedSourceIsRefused() throws Exception {
        // Proves: a balancer whose address is not trusted cannot name a client: its connections are refused.
        try (Backend echo = Backend.echo();
             Tunnel server = server(echo.address(), ProxyProtocolMode.ACCEPT, "127.0.0.2", false, true);
             HeaderBalancer balancer = new HeaderBalancer(server.localAddress(), CLIENT_HEADER);
             Tunnel client = client(balancer.address(), true);
             Socket refused = connect(client)) {
            assertNoDataThrough(refused);

            assertEquals(ConnectionOutcome.PROXY_HEADER_UNTRUSTED, serverEvents.nextClosed(WAIT));
        } finally {
            transport.close();
        }
    }

    @Test
    void headerIsReadBeforeTheServiceIsConnectedWhenEncryptionIsOff() throws Exception {
        // Proves: in plaintext mode the service is connected only after the header, and gets its own v2 header
        // followed by the client's bytes.
        CompletableFuture<byte[]> headerSeen = new CompletableFuture<>();
        try (Backend echo = headerThenEcho(headerSeen);
             Tunnel server = server(echo.address(), ProxyProtocolMode.REQUIRE, "127.0.0.1", true, false);
             HeaderBalancer balancer = new HeaderBalancer(server.localAddress(), CLIENT_HEADER);
             Tunnel client = client(balancer.address(), false);
             Socket app = connect(client)) {
            assertEcho(app, "in plaintext");

            assertArrayEquals(Headers.v2("203.0.113.7", 51000, "198.18.0.31", 9001),
                headerSeen.get(10, TimeUnit.SECONDS));
        } finally {
            transport.close();
        }
    }

    @Test
    void healthCheckWithALocalHeaderThenAResetIsAProbe() throws Exception {
        // Proves: haproxy's health check with send-proxy-v2 (a LOCAL header, then RST) counts as a probe, which is
        // logged at DEBUG, not as a reset or a failed handshake.
        try (Backend echo = Backend.echo();
             Tunnel server = server(echo.address(), ProxyProtocolMode.REQUIRE, "127.0.0.1", false, true)) {
            try (Socket check = new Socket(server.localAddress().getAddress(), server.localAddress().getPort())) {
                check.getOutputStream().write(Headers.v2(Headers.LOCAL, Headers.TCP4, "0.0.0.0", 0, "0.0.0.0", 0,
                    0));
                Thread.sleep(100);
                check.setSoLinger(true, 0);
            }

            assertEquals(ConnectionOutcome.PROBE, serverEvents.nextClosed(WAIT));
        } finally {
            transport.close();
        }
    }

    private Tunnel server(InetSocketAddress service, ProxyProtocolMode mode, String trusted, boolean sendToService,
            boolean encrypted) {
        ProxyProtocol proxy = new ProxyProtocol(mode, TrustedSources.parse(trusted, "test"), sendToService,
            Duration.ofSeconds(5));
        TunnelConfig config = TunnelPair.config(TunnelMode.SERVER, service, Duration.ZERO).withProxyProtocol(proxy);
        return Tunnel.start(config, encrypted ? tls() : null, serverEvents, transport);
    }

    private Tunnel client(InetSocketAddress target, boolean encrypted) {
        return Tunnel.start(clientConfig(target), encrypted ? tls() : null, clientEvents, transport);
    }

    private static TunnelConfig clientConfig(InetSocketAddress target) {
        return TunnelPair.config(TunnelMode.CLIENT, target, Duration.ZERO);
    }

    private static TlsPskContext tls() {
        return new TlsPskContext(new PresharedKey("ice", TunnelPair.KEY), TlsPolicy.DEFAULT);
    }

    private static Socket connect(Tunnel tunnel) throws IOException {
        return TunnelPair.connect(tunnel);
    }

    // A service behind nginx-style proxy_protocol: it takes the v2 header off the stream, then echoes the rest.
    private static Backend headerThenEcho(CompletableFuture<byte[]> headerSeen) throws IOException {
        return new Backend(socket -> {
            InputStream in = socket.getInputStream();
            headerSeen.complete(in.readNBytes(V2_IPV4_HEADER_BYTES));
            in.transferTo(socket.getOutputStream());
            socket.shutdownOutput();
        });
    }

    private static void assertEcho(Socket socket, String text) throws IOException {
        byte[] sent = (text + "\n").getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(sent);
        assertArrayEquals(sent, socket.getInputStream().readNBytes(sent.length));
    }

    private static void assertNoDataThrough(Socket refused) throws IOException {
        try {
            refused.getOutputStream().write("let me in".getBytes(StandardCharsets.UTF_8));
            byte[] answer = refused.getInputStream().readAllBytes();
            assertTrue(answer.length == 0, "got " + Arrays.toString(answer));
        } catch (SocketException reset) {
            // A reset is how a refused connection may end: nothing got through.
        }
    }
}
