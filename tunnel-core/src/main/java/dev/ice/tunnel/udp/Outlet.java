package dev.ice.tunnel.udp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.function.Supplier;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;

/**
 * Where a flow's worker sends datagrams: a connected socket of the flow's own, or a shared socket with the peer's
 * current address on each datagram.
 *
 * <p>The bytes are copied into a direct buffer, which the kernel needs anyway, so that BouncyCastle may reuse its
 * array at once. A socket whose outbound buffer is over its high-water mark takes nothing more: the datagram is
 * dropped and counted, as the kernel drops a datagram its socket buffer has no room for.
 *
 * <p>Netty 4.2.18's epoll datagram channel silently skips a write of zero bytes, yet a zero-length datagram is valid
 * UDP that some protocols use as a keepalive; such a datagram is sent through the channel's own socket instead, on
 * its event loop so that the socket cannot be closed meanwhile.
 */
final class Outlet {

    private static final ByteBuffer NOTHING = ByteBuffer.allocateDirect(1);

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

    /** What became of a datagram handed to {@link #send}. */
    enum Sent {
        /** Written, or queued to be. */
        SENT,
        /** Dropped: the socket's outbound buffer is over its high-water mark. */
        BACKLOG_FULL,
        /** Dropped: the socket is closed, because the flow or the tunnel is ending. */
        CLOSED
    }

    /** @return whether the datagram went out, and why not */
    Sent send(byte[] data, int offset, int length) {
        if (!channel.isActive()) {
            return Sent.CLOSED;
        }
        if (!channel.isWritable()) {
            return Sent.BACKLOG_FULL;
        }
        if (length == 0) {
            channel.eventLoop().execute(this::sendEmpty);
            return Sent.SENT;
        }
        ByteBuf buffer = channel.alloc().directBuffer(length).writeBytes(data, offset, length);
        Object message = recipient == null ? buffer : new DatagramPacket(buffer, recipient.get());
        channel.writeAndFlush(message, channel.voidPromise());
        return Sent.SENT;
    }

    private void sendEmpty() {
        if (!channel.isOpen()) {
            return;
        }
        Socket socket = new Socket(((UnixChannel) channel).fd().intValue());
        try {
            if (recipient == null) {
                socket.send(NOTHING, 0, 0);
            } else {
                InetSocketAddress to = recipient.get();
                socket.sendTo(NOTHING, 0, 0, to.getAddress(), to.getPort());
            }
        } catch (IOException e) {
            // As for any datagram: a full buffer or an ICMP error from an earlier one loses it, as UDP may.
        }
    }
}
