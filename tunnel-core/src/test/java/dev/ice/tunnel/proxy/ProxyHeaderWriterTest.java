package dev.ice.tunnel.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

class ProxyHeaderWriterTest {

    @Test
    void headerToTheServiceIsV2ByteForByteAndTheStreamFollowsIt() {
        // Proves: the service gets the specification's v2 PROXY command over TCP4 naming the client, before the
        // first byte of the stream, and the writer leaves no handler behind.
        EmbeddedChannel service = new EmbeddedChannel();

        ProxyHeaderWriter.write(service, new InetSocketAddress("198.18.0.33", 51000),
            new InetSocketAddress("198.18.0.31", 9001));
        service.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));

        assertArrayEquals(Headers.v2("198.18.0.33", 51000, "198.18.0.31", 9001), outbound(service));
        assertArrayEquals(new byte[] {1, 2, 3}, outbound(service));
        assertEquals(0, service.pipeline().names().stream().filter(name -> name.contains("Encoder")).count());
        service.finishAndReleaseAll();
    }

    @Test
    void ipv6ClientsGetTheTcp6Family() {
        EmbeddedChannel service = new EmbeddedChannel();

        ProxyHeaderWriter.write(service, new InetSocketAddress("2001:db8::33", 51000),
            new InetSocketAddress("2001:db8::31", 9001));

        assertArrayEquals(Headers.v2(Headers.PROXY, Headers.TCP6, "2001:db8::33", 51000, "2001:db8::31", 9001, 0),
            outbound(service));
        service.finishAndReleaseAll();
    }

    @Test
    void addressesOfTwoFamiliesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ProxyHeaderWriter.v2(
            new InetSocketAddress("198.18.0.33", 1), new InetSocketAddress("2001:db8::31", 2)));
    }

    private static byte[] outbound(EmbeddedChannel channel) {
        ByteBuf out = channel.readOutbound();
        try {
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }
}
