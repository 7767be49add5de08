package dev.ice.tunnel.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.ice.tunnel.ConnectionOutcome;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.socket.ChannelInputShutdownEvent;

/** The PROXY header reader in memory: what it believes, what it refuses, and what it hands on. */
class ProxyHeaderReaderTest {

    private static final InetSocketAddress BALANCER = new InetSocketAddress("198.18.0.32", 40000);
    private static final InetSocketAddress STRANGER = new InetSocketAddress("198.18.0.34", 40000);
    private static final TrustedSources TRUSTED = TrustedSources.parse("198.18.0.32/32,2001:db8::/64", "test");
    // What a TLS client sends first: a handshake record header and the start of a ClientHello.
    private static final byte[] TLS_START = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc};

    private final List<ProxyHeaderResult> results = new ArrayList<>();
    private PeerChannel channel;

    @AfterEach
    void release() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void v1HeaderFromTrustedSourceNamesTheClientAndTheStreamFollowsUnchanged() throws Exception {
        // Proves: a v1 line from the load balancer yields its client and destination, and the bytes after it reach
        // the next handler exactly, with the reader gone from the pipeline.
        open(ProxyProtocolMode.REQUIRE, BALANCER);

        send(Headers.concat(Headers.v1("TCP4 203.0.113.7 198.18.0.31 51000 9001"), TLS_START));

        assertEquals(new ProxyHeaderResult.Proxied(new InetSocketAddress("203.0.113.7", 51000),
            new InetSocketAddress("198.18.0.31", 9001)), onlyResult());
        assertArrayEquals(TLS_START, passedOn());
        assertNull(channel.pipeline().get(ProxyHeaderReader.class));
    }

    @Test
    void v2HeaderFromTrustedSourceNamesTheClient() throws Exception {
        // Proves: a binary v2 header with a PROXY command over TCP4 yields its addresses; the stream follows.
        open(ProxyProtocolMode.REQUIRE, BALANCER);

        send(Headers.concat(Headers.v2("203.0.113.7", 51000, "198.18.0.31", 9001), TLS_START));

        assertEquals(new ProxyHeaderResult.Proxied(new InetSocketAddress("203.0.113.7", 51000),
            new InetSocketAddress("198.18.0.31", 9001)), onlyResult());
        assertArrayEquals(TLS_START, passedOn());
    }

    @Test
    void v2HeaderForIpv6ClientsIsRead() throws Exception {
        // Proves: the TCP6 family yields IPv6 addresses.
        open(ProxyProtocolMode.REQUIRE, BALANCER);

        send(Headers.v2(Headers.PROXY, Headers.TCP6, "2001:db8::33", 51000, "2001:db8::31", 9001, 0));

        assertEquals(new ProxyHeaderResult.Proxied(new InetSocketAddress("2001:db8::33", 51000),
            new InetSocketAddress("2001:db8::31", 9001)), onlyResult());
    }

    @Test
    void headerArrivingOneByteAtATimeIsStillRead() throws Exception {
        // Proves: the reader waits for the rest of a signature and of a header however the bytes are split.
        open(ProxyProtocolMode.REQUIRE, BALANCER);
        byte[] stream = Headers.concat(Headers.v2("203.0.113.7", 51000, "198.18.0.31", 9001), TLS_START);

        for (byte b : stream) {
            send(new byte[] {b});
        }

        assertInstanceOf(ProxyHeaderResult.Proxied.class, onlyResult());
        assertArrayEquals(TLS_START, passedOn());
    }

    @Test
    void localCommandAsHealthChecksSendIsAcceptedWithTheConnectionsOwnAddresses() throws Exception {
        // Proves: haproxy's health checks with send-proxy-v2 send LOCAL, which names no client and is not refused.
        open(ProxyProtocolMode.REQUIRE, BALANCER);

        send(Headers.v2(Headers.LOCAL, Headers.TCP4, "0.0.0.0", 0, "0.0.0.0", 0, 0));

        assertInstanceOf(ProxyHeaderResult.Direct.class, onlyResult());
        assertTrue(channel.isOpen());
    }

    @Test
    void v1UnknownNamesNoClient() throws Exception {
        // Proves: "PROXY UNKNOWN" (section 2.1) leaves the connection's own addresses in place.
        open(ProxyProtocolMode.REQUIRE, BALANCER);

        send(Headers.v1("UNKNOWN"));

        assertInstanceOf(ProxyHeaderResult.Direct.class, onlyResult());
    }

    @Test
    void streamWithoutHeaderIsRefusedWhenOneIsRequired() throws Exception {
        // Proves: with require, a TLS client that came straight to ICE is refused as missing a header, nothing is
        // passed on, and the log detail says what the stream opened with.
        open(ProxyProtocolMode.REQUIRE, BALANCER);

        send(TLS_START);

        ProxyHeaderResult.Refused refused = refused(ConnectionOutcome.PROXY_HEADER_MISSING);
        assertTrue(refused.detail().contains("TLS handshake record"), refused.detail());
        assertNothingPassedOnAndClosed();
    }

    @Test
    void streamWithoutHeaderIsPassedOnWhenHeadersAreOnlyAccepted() throws Exception {
        // Proves: with accept, a stream without a header goes on unchanged, from any source.
        open(ProxyProtocolMode.ACCEPT, STRANGER);

        send(TLS_START);

        assertInstanceOf(ProxyHeaderResult.Direct.class, onlyResult());
        assertArrayEquals(TLS_START, passedOn());
    }

    @Test
    void headerFromUntrustedSourceIsRefused() throws Exception {
        // Proves: a header from an address outside the trusted sources is refused in either mode, before any byte
        // of it is parsed or passed on.
        for (ProxyProtocolMode mode : List.of(ProxyProtocolMode.ACCEPT, ProxyProtocolMode.REQUIRE)) {
            results.clear();
            open(mode, STRANGER);

            send(Headers.concat(Headers.v1("TCP4 203.0.113.7 198.18.0.31 51000 9001"), TLS_START));

            ProxyHeaderResult.Refused refused = refused(ConnectionOutcome.PROXY_HEADER_UNTRUSTED);
            assertTrue(refused.detail().contains("198.18.0.34:40000"), refused.detail());
            assertNothingPassedOnAndClosed();
        }
    }

    @Test
    void malformedV1HeaderIsRefused() throws Exception {
        // Proves: an address that is not one is refused as invalid, with Netty's reason.
        open(ProxyProtocolMode.REQUIRE, BALANCER);

        send(Headers.v1("TCP4 999.0.113.7 198.18.0.31 51000 9001"));

        refused(ConnectionOutcome.PROXY_HEADER_INVALID);
        assertNothingPassedOnAndClosed();
    }

    @Test
    void malformedV2HeaderIsRefused() throws Exception {
        // Proves: a v2 header with an undefined command (0x2F) is refused as invalid.
        open(ProxyProtocolMode.REQUIRE, BALANCER);

        send(Headers.v2(0x2F, Headers.TCP4, "203.0.113.7", 51000, "198.18.0.31", 9001, 0));

        refused(ConnectionOutcome.PROXY_HEADER_INVALID);
        assertNothingPassedOnAndClosed();
    }

    @Test
    void headerNamingAUdpClientIsRefused() throws Exception {
        // Proves: ICE relays TCP, so a header naming a UDP client is refused rather than believed.
        open(ProxyProtocolMode.REQUIRE, BALANCER);

        send(Headers.v2(Headers.PROXY, Headers.UDP4, "203.0.113.7", 51000, "198.18.0.31", 9001, 0));

        ProxyHeaderResult.Refused refused = refused(ConnectionOutcome.PROXY_HEADER_INVALID);
        assertTrue(refused.detail().contains("UDP4"), refused.detail());
    }

    @Test
    void truncatedV2HeaderIsRefusedWhenThePeerCloses() throws Exception {
        // Proves: a peer that sends part of a header and shuts its side is refused as invalid, not passed on.
        open(ProxyProtocolMode.REQUIRE, BALANCER);
        byte[] header = Headers.v2("203.0.113.7", 51000, "198.18.0.31", 9001);

        send(Arrays.copyOf(header, 20));
        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);

        ProxyHeaderResult.Refused refused = refused(ConnectionOutcome.PROXY_HEADER_INVALID);
        assertTrue(refused.detail().contains("after 20 bytes"), refused.detail());
        assertNothingPassedOnAndClosed();
    }

    @Test
    void truncatedSignatureIsRefusedWhenThePeerCloses() throws Exception {
        // Proves: even the first bytes of a signature, cut off, are refused as invalid.
        open(ProxyProtocolMode.ACCEPT, BALANCER);

        send("PRO".getBytes(StandardCharsets.US_ASCII));
        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);

        refused(ConnectionOutcome.PROXY_HEADER_INVALID);
        assertNothingPassedOnAndClosed();
    }

    @Test
    void oversizedV1LineIsRefused() throws Exception {
        // Proves: a v1 line longer than 108 characters (the specification allows 107 bytes) is refused without
        // waiting for its end.
        open(ProxyProtocolMode.REQUIRE, BALANCER);

        send(("PROXY TCP4 " + "1".repeat(200)).getBytes(StandardCharsets.US_ASCII));

        refused(ConnectionOutcome.PROXY_HEADER_INVALID);
        assertNothingPassedOnAndClosed();
    }

    @Test
    void oversizedV2HeaderIsRefused() throws Exception {
        // Proves: a v2 header longer than ICE's limit is refused, and the limit is named.
        open(ProxyProtocolMode.REQUIRE, BALANCER);

        send(Headers.v2(Headers.PROXY, Headers.TCP4, "203.0.113.7", 51000, "198.18.0.31", 9001,
            ProxyHeaderReader.MAX_HEADER_BYTES));

        ProxyHeaderResult.Refused refused = refused(ConnectionOutcome.PROXY_HEADER_INVALID);
        assertTrue(refused.detail().contains(String.valueOf(ProxyHeaderReader.MAX_HEADER_BYTES)), refused.detail());
        assertNothingPassedOnAndClosed();
    }

    @Test
    void v2HeaderWithTlvsWithinTheLimitIsRead() throws Exception {
        // Proves: TLVs that ICE does not read are skipped, up to the limit, and the stream follows.
        open(ProxyProtocolMode.REQUIRE, BALANCER);

        send(Headers.concat(Headers.v2(Headers.PROXY, Headers.TCP4, "203.0.113.7", 51000, "198.18.0.31", 9001,
            ProxyHeaderReader.MAX_TLV_BYTES), TLS_START));

        assertInstanceOf(ProxyHeaderResult.Proxied.class, onlyResult());
        assertArrayEquals(TLS_START, passedOn());
    }

    @Test
    void peerThatClosesWithoutAByteIsAProbe() throws Exception {
        // Proves: a health check that connects and closes is reported as a probe, which is logged at DEBUG.
        open(ProxyProtocolMode.REQUIRE, BALANCER);

        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);

        refused(ConnectionOutcome.PROBE);
    }

    @Test
    void peerThatResetsWithoutAByteIsAProbe() throws Exception {
        // Proves: a health check that connects and resets, as haproxy's do, is a probe too.
        open(ProxyProtocolMode.REQUIRE, BALANCER);

        channel.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));

        refused(ConnectionOutcome.PROBE);
    }

    @Test
    void headerThatNeverCompletesIsDroppedAtTheTimeout() throws Exception {
        // Proves: a peer that starts a header and stalls is dropped once the header timeout passes.
        open(ProxyProtocolMode.REQUIRE, BALANCER);
        channel.freezeTime();

        send("PROXY TCP4 203.0.113.7".getBytes(StandardCharsets.US_ASCII));
        channel.advanceTimeBy(5, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();

        refused(ConnectionOutcome.HANDSHAKE_TIMEOUT);
        assertFalse(channel.isOpen());
    }

    private void open(ProxyProtocolMode mode, InetSocketAddress peer) throws Exception {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
        ProxyProtocol config = new ProxyProtocol(mode, TRUSTED, false, Duration.ofSeconds(1));
        channel = PeerChannel.from(peer, new ProxyHeaderReader(config, results::add));
    }

    private void send(byte[] bytes) {
        channel.writeInbound(Unpooled.wrappedBuffer(bytes));
    }

    private ProxyHeaderResult onlyResult() {
        assertEquals(1, results.size(), "results: " + results);
        return results.getFirst();
    }

    private ProxyHeaderResult.Refused refused(ConnectionOutcome expected) {
        ProxyHeaderResult.Refused refused = assertInstanceOf(ProxyHeaderResult.Refused.class, onlyResult());
        assertEquals(expected, refused.outcome(), refused.detail());
        return refused;
    }

    private byte[] passedOn() {
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf part = channel.readInbound(); part != null; part = channel.readInbound()) {
            all.writeBytes(part);
            part.release();
        }
        return ByteBufUtil.getBytes(all);
    }

    private void assertNothingPassedOnAndClosed() {
        assertNull(channel.readInbound(), "bytes of a refused stream were passed on");
        assertFalse(channel.isOpen(), "a refused stream was left open");
    }
}
