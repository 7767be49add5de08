package dev.ice.tunnel.interop;

import static dev.ice.tunnel.interop.Interop.IDENTITY;
import static dev.ice.tunnel.interop.Interop.OPENSSL;
import static dev.ice.tunnel.interop.Interop.STEP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.ice.tunnel.ConnectionOutcome;
import dev.ice.tunnel.Endpoint;
import dev.ice.tunnel.interop.ConnectionRecorder.Opened;
import dev.ice.tunnel.key.PresharedKey;
import dev.ice.tunnel.relay.Transport;
import dev.ice.tunnel.relay.TunnelMode;
import dev.ice.tunnel.tls.DtlsPolicy;
import dev.ice.tunnel.tls.DtlsPskContext;
import dev.ice.tunnel.udp.UdpTunnel;
import dev.ice.tunnel.udp.UdpTunnelConfig;

/**
 * ICE's UDP tunnels against OpenSSL 3.0's DTLS 1.2 (openssl s_server and s_client with -dtls1_2). OpenSSL has no
 * ECDHE_PSK suite with AES-GCM, so the suite agreed is TLS_DHE_PSK_WITH_AES_128_GCM_SHA256, which ICE offers by
 * default: plain PSK is not needed to talk to OpenSSL. OpenSSL 3.0 has no RFC 9146 connection IDs either, so none
 * is used with it.
 */
@Timeout(60)
class OpenSslDtlsInteropTest {

    private static final Pattern ACCEPT = Pattern.compile("^ACCEPT 127\\.0\\.0\\.1:(\\d+)$");

    private static Transport transport;

    @BeforeAll
    static void startTransport() {
        assumeTrue(ExternalPeer.isInstalled(OPENSSL), OPENSSL + " is not installed");
        transport = Transport.start(1);
    }

    @AfterAll
    static void stopTransport() {
        if (transport != null) {
            transport.close();
        }
    }

    @ParameterizedTest(name = "s_server -cipher {0}")
    @ValueSource(strings = {"DHE-PSK-AES128-GCM-SHA256", "DEFAULT"})
    void iceUdpClientTalksBothWaysWithOpenSslDtlsServer(String cipher) throws Exception {
        // Proves: an ICE UDP client tunnel completes DTLS 1.2 with openssl s_server (-nocert, PSK, limited to
        // DHE-PSK-AES128-GCM-SHA256 or with OpenSSL's default list), the app's datagram reaches s_server, and what
        // s_server sends comes back to the app from the address the app sent to.
        PresharedKey key = Interop.randomKey();
        ConnectionRecorder recorder = new ConnectionRecorder();
        try (ExternalPeer server = ExternalPeer.start(OPENSSL, "s_server", "-dtls1_2", "-accept", "127.0.0.1:0",
                "-nocert", "-psk", Interop.hex(key), "-psk_identity", IDENTITY, "-naccept", "1", "-cipher",
                cipher)) {
            int port = Integer.parseInt(server.awaitStdoutLine(ACCEPT, STEP).group(1));
            UdpTunnel tunnel = tunnel(TunnelMode.CLIENT, port, key, DtlsPolicy.DEFAULT, recorder);
            try (Socket app = new Socket()) {
                String up = "ping " + Interop.randomText(40);
                app.send((up + "\n").getBytes(StandardCharsets.US_ASCII), tunnel.localAddress());
                server.awaitStdoutLine(Pattern.compile(Pattern.quote(up)), STEP);

                server.send("pong from openssl\n".getBytes(StandardCharsets.US_ASCII));
                Socket.Reply reply = app.receive(STEP);

                assertNotNull(reply, server::transcript);
                assertEquals("pong from openssl\n", new String(reply.bytes(), StandardCharsets.US_ASCII));
                assertEquals(tunnel.localAddress(), reply.from());
                assertEquals(new Opened("DTLSv1.2", "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256"), recorder.awaitOpened());
            } finally {
                tunnel.close();
            }
        }
    }

    @Test
    void openSslDtlsClientReachesUdpServiceThroughIceServer() throws Exception {
        // Proves: openssl s_client -dtls1_2 passes the ICE server's cookie exchange, agrees on DHE-PSK with
        // AES-128-GCM, and its lines reach a UDP echo behind the server and come back exactly.
        PresharedKey key = Interop.randomKey();
        ConnectionRecorder recorder = new ConnectionRecorder();
        byte[] line = ("0001:" + Interop.randomText(200) + "\n").getBytes(StandardCharsets.US_ASCII);
        try (Echo echo = new Echo()) {
            UdpTunnel tunnel = tunnel(TunnelMode.SERVER, echo.port(), key, DtlsPolicy.DEFAULT, recorder);
            try (ExternalPeer client = dtlsClient(tunnel, key, "DHE-PSK-AES128-GCM-SHA256")) {
                assertEquals(new Opened("DTLSv1.2", "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256"), recorder.awaitOpened());
                client.send(line);

                assertArrayEquals(line, client.awaitStdout(line.length, STEP), client::transcript);
            } finally {
                tunnel.close();
            }
        }
    }

    @Test
    void plainPskSuiteIsRefusedUnlessTheUnsafeFlagIsOn() throws Exception {
        // Proves: s_client limited to PSK-AES128-GCM-SHA256, which has no forward secrecy, gets no session from an
        // ICE UDP server by default, and gets TLS_PSK_WITH_AES_128_GCM_SHA256 once the unsafe flag allows it.
        PresharedKey key = Interop.randomKey();
        try (Echo echo = new Echo()) {
            ConnectionRecorder refusing = new ConnectionRecorder();
            UdpTunnel safe = tunnel(TunnelMode.SERVER, echo.port(), key, DtlsPolicy.DEFAULT, refusing);
            try (ExternalPeer client = dtlsClient(safe, key, "PSK-AES128-GCM-SHA256")) {
                assertEquals(ConnectionOutcome.TLS_ERROR, refusing.awaitClosed().outcome(), client::transcript);
                assertEquals(0, refusing.unclaimedOpenings());
            } finally {
                safe.close();
            }

            ConnectionRecorder accepting = new ConnectionRecorder();
            DtlsPolicy unsafe = new DtlsPolicy(true, DtlsPolicy.DEFAULT_HANDSHAKE_TIMEOUT);
            UdpTunnel allowing = tunnel(TunnelMode.SERVER, echo.port(), key, unsafe, accepting);
            try (ExternalPeer client = dtlsClient(allowing, key, "PSK-AES128-GCM-SHA256")) {
                assertEquals(new Opened("DTLSv1.2", "TLS_PSK_WITH_AES_128_GCM_SHA256"), accepting.awaitOpened());
            } finally {
                allowing.close();
            }
        }
    }

    private static ExternalPeer dtlsClient(UdpTunnel tunnel, PresharedKey key, String cipher) throws IOException {
        List<String> command = List.of(OPENSSL, "s_client", "-dtls1_2", "-connect", "127.0.0.1:"
            + tunnel.localAddress().getPort(), "-psk", Interop.hex(key), "-psk_identity", IDENTITY, "-quiet",
            "-cipher", cipher);
        return ExternalPeer.start(command.toArray(String[]::new));
    }

    private static UdpTunnel tunnel(TunnelMode mode, int targetPort, PresharedKey key, DtlsPolicy policy,
            ConnectionRecorder recorder) {
        UdpTunnelConfig config = new UdpTunnelConfig(mode, new Endpoint(Endpoint.LOOPBACK, 0),
            new Endpoint(Endpoint.LOOPBACK, targetPort));
        return UdpTunnel.start(config, new DtlsPskContext(key, policy), recorder, transport);
    }

    /** An application's UDP socket on loopback. */
    private static final class Socket implements AutoCloseable {

        record Reply(byte[] bytes, InetSocketAddress from) {
        }

        private final DatagramSocket socket;

        Socket() throws IOException {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        }

        void send(byte[] bytes, InetSocketAddress to) throws IOException {
            socket.send(new DatagramPacket(bytes, bytes.length, to));
        }

        Reply receive(Duration wait) throws IOException {
            socket.setSoTimeout((int) wait.toMillis());
            DatagramPacket packet = new DatagramPacket(new byte[65536], 65536);
            try {
                socket.receive(packet);
            } catch (SocketTimeoutException none) {
                return null;
            }
            return new Reply(Arrays.copyOf(packet.getData(), packet.getLength()),
                (InetSocketAddress) packet.getSocketAddress());
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    /** A UDP echo on loopback. */
    private static final class Echo implements AutoCloseable {

        private final DatagramSocket socket;

        Echo() throws IOException {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread.ofVirtual().start(this::echoAll);
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() {
            socket.close();
        }

        private void echoAll() {
            try {
                while (true) {
                    DatagramPacket packet = new DatagramPacket(new byte[65536], 65536);
                    socket.receive(packet);
                    socket.send(new DatagramPacket(packet.getData(), packet.getLength(), packet.getSocketAddress()));
                }
            } catch (IOException closed) {
                // close() ends the loop.
            }
        }
    }
}
