package dev.ice.tunnel.udp;

import java.net.InetSocketAddress;
import java.util.function.Supplier;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;

/**
 * Where a flow's worker sends datagrams: a connected socket of the flow's own, or a shared socket with the peer's
 * current address on each datagram.
 *
 * <p>The bytes are copied into a direct buffer, which the kernel needs anyway, so that BouncyCastle may reuse its
 * array at once. A socket whose outbound buffer is over its high-water mark takes nothing more: the datagram is
 * dropped and counted, as the kernel drops a datagram its socket buffer has no room for.
 */
final class Outlet {

    private final Channel channel;
    private final Supplier<InetSocketAddress> recipient;

    private Outlet(Channel channel, Supplier<InetSocketAddress> recipient) {
        this.channel = channel;
        this.recipient = recipient;
    }

    /** @return an outlet writing to a connected socket */
    static Outlet connected(Channel channel) {
        return new Outlet(channel, null);
    }

    /** @return an outlet addressing each datagram to wherever the supplier says the peer is now */
    static Outlet addressed(Channel channel, Supplier<InetSocketAddress> recipient) {
        return new Outlet(channel, recipient);
    }

    /** @return false if the datagram was dropped because the socket is backed up or closed */
    boolean send(byte[] data, int offset, int length) {
        if (!channel.isActive() || !channel.isWritable()) {
            return false;
        }
        ByteBuf buffer = channel.alloc().directBuffer(length).writeBytes(data, offset, length);
        Object message = recipient == null ? buffer : new DatagramPacket(buffer, recipient.get());
        channel.writeAndFlush(message, channel.voidPromise());
        return true;
    }
}
