package dev.ice.tunnel.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.bouncycastle.tls.DatagramTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ice.tunnel.ConnectionOutcome;
import dev.ice.tunnel.key.PresharedKey;
import dev.ice.tunnel.relay.Transport;
import dev.ice.tunnel.relay.TunnelMode;
import dev.ice.tunnel.tls.DtlsHandshakeException;
import dev.ice.tunnel.tls.DtlsPskContext;

/** Peers a UDP server tunnel must turn away, and what each side logs about them. */
@Timeout(60)
class UdpTunnelRefusalTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void wrongKeyIsRefusedAndLoggedAndNoDatagramGetsThrough() throws Exception {
        // Proves: a client tunnel with another key for the same identity never opens a flow: DTLS drops its
        // Finished silently, so both ends time out, and each names the wrong key (server: wrong key; client: key
        // rejected by peer) in ice.handshake; the service receives nothing and the app hears nothing.
        PresharedKey wrong = new PresharedKey("ice", "fedcba9876543210fedcba9876543210".getBytes(
            StandardCharsets.UTF_8));
        FlowEvents wrongEvents = new FlowEvents();
        try (LogCapture handshakes = new LogCapture("ice.handshake"); UdpEcho echo = UdpEcho.start();
                UdpTunnelPair pair = new UdpTunnelPair(echo.address()); App app = new App()) {
            UdpTunnel wrongClient = pair.clientTo(new DtlsPskContext(wrong, UdpTunnelPair.QUICK), wrongEvents,
                UdpTunnelConfig.DEFAULT_IDLE_TIMEOUT, 16);
            try {
                app.send("secret".getBytes(StandardCharsets.US_ASCII), wrongClient.localAddress());

                assertEquals(ConnectionOutcome.BAD_KEY, pair.serverEvents.nextClosed(WAIT).outcome());
                assertEquals(ConnectionOutcome.KEY_REJECTED_BY_PEER, wrongEvents.nextClosed(WAIT).outcome());
                assertNull(app.receive(Duration.ofMillis(200)));
                assertEquals(0, echo.received(), "datagrams at the service");
                assertEquals(0, pair.serverEvents.unclaimedOpenings());
                assertEquals(1, handshakes.linesContaining("wrong key (the client's Finished never verified")
                    .size(), handshakes.lines().toString());
            } finally {
                wrongClient.close();
            }
        }
    }

    @Test
    void unknownIdentityIsRefusedAtOnce() throws Exception {
        // Proves: a client offering an identity the server does not hold gets unknown_psk_identity straight away
        // (no timeout): the server logs unknown identity, the client key rejected by peer, and nothing flows.
        PresharedKey stranger = new PresharedKey("stranger", UdpTunnelPair.KEY.keyBytes());
        FlowEvents strangerEvents = new FlowEvents();
        try (UdpEcho echo = UdpEcho.start(); UdpTunnelPair pair = new UdpTunnelPair(echo.address());
                App app = new App()) {
            UdpTunnel strangerClient = pair.clientTo(new DtlsPskContext(stranger, UdpTunnelPair.QUICK),
                strangerEvents, UdpTunnelConfig.DEFAULT_IDLE_TIMEOUT, 16);
            try {
                long start = System.nanoTime();
                app.send("hello".getBytes(StandardCharsets.US_ASCII), strangerClient.localAddress());

                assertEquals(ConnectionOutcome.UNKNOWN_IDENTITY, pair.serverEvents.nextClosed(WAIT).outcome());
                assertEquals(ConnectionOutcome.KEY_REJECTED_BY_PEER, strangerEvents.nextClosed(WAIT).outcome());
                assertTrue(System.nanoTime() - start < UdpTunnelPair.QUICK.handshakeTimeout().toNanos(),
                    "refused before any timeout");
                assertEquals(0, echo.received());
            } finally {
                strangerClient.close();
            }
        }
    }

    @Test
    void clientHelloWithoutValidCookieGetsHelloVerifyRequestAndCreatesNoFlow() throws Exception {
        // Proves: the server answers a real ClientHello that carries no cookie with a HelloVerifyRequest no larger
        // than the hello, and keeps no flow for it; a hundred such hellos from a hundred sockets (spoofed
        // sources, as far as the server can tell) leave it with no flow, no handshake and nothing at the service.
        byte[] hello = firstClientHello();
        try (UdpEcho echo = UdpEcho.start(); UdpTunnelPair pair = new UdpTunnelPair(echo.address())) {
            InetSocketAddress server = pair.server.localAddress();
            List<App> senders = new ArrayList<>();
            try {
                for (int i = 0; i < 100; i++) {
                    App sender = new App();
                    senders.add(sender);
                    sender.send(hello, server);
                }
                App.Reply verify = senders.get(0).receive(WAIT);

                assertNotNull(verify, "no HelloVerifyRequest");
                assertEquals(22, verify.bytes()[0], "a handshake record");
                assertEquals(3, verify.bytes()[13], "hello_verify_request (RFC 6347 §4.2.1)");
                assertTrue(verify.bytes().length <= hello.length, "no amplification: " + verify.bytes().length
                    + " B answer to a " + hello.length + " B hello");
                Thread.sleep(300);
                assertEquals(0, pair.server.flowCount());
                assertEquals(0, pair.serverEvents.unclaimedOpenings());
                assertEquals(0, echo.received());
            } finally {
                senders.forEach(App::close);
            }
        }
    }

    @Test
    void serverThatIsNotListeningEndsTheFlowAtOnceAsUpstreamUnreachable() throws Exception {
        // Proves: when nothing listens at the client tunnel's target, the ICMP port unreachable that the
        // ClientHello draws ends the flow as upstream unreachable well before the handshake timeout.
        FlowEvents events = new FlowEvents();
        try (Transport transport = Transport.start(1); App app = new App()) {
            InetSocketAddress nobody;
            try (DatagramSocket closed = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    0))) {
                nobody = (InetSocketAddress) closed.getLocalSocketAddress();
            }
            UdpTunnel client = UdpTunnel.start(UdpTunnelPair.config(TunnelMode.CLIENT, nobody, WAIT, 16),
                new DtlsPskContext(UdpTunnelPair.KEY, UdpTunnelPair.QUICK), events, transport);
            try {
                long start = System.nanoTime();
                app.send("anyone?".getBytes(StandardCharsets.US_ASCII), client.localAddress());

                assertEquals(ConnectionOutcome.UPSTREAM_UNREACHABLE, events.nextClosed(WAIT).outcome());
                assertTrue(System.nanoTime() - start < UdpTunnelPair.QUICK.handshakeTimeout().toNanos());
            } finally {
                client.close();
            }
        }
    }

    /** @return the first datagram an ICE client sends: a ClientHello without a cookie */
    private static byte[] firstClientHello() {
        Capture capture = new Capture();
        try {
            new DtlsPskContext(UdpTunnelPair.KEY, UdpTunnelPair.QUICK).connect(capture);
        } catch (DtlsHandshakeException expected) {
            // The capture ends the handshake once it holds the hello.
        }
        return capture.first;
    }

    /** Keeps the first datagram sent, then fails the handshake. */
    private static final class Capture implements DatagramTransport {

        private byte[] first;

        @Override
        public int getReceiveLimit() {
            return 1 << 14;
        }

        @Override
        public int getSendLimit() {
            return 1400;
        }

        @Override
        public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
            throw new IOException("captured");
        }

        @Override
        public void send(byte[] buf, int off, int len) {
            if (first == null) {
                first = Arrays.copyOfRange(buf, off, off + len);
            }
        }

        @Override
        public void close() {
        }
    }
}
