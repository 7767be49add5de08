package dev.ice.tunnel.udp;

import java.net.PortUnreachableException;

import dev.ice.tunnel.ConnectionOutcome;
import dev.ice.tunnel.Endpoint;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;

/**
 * Reads a flow's own socket, the one connected to its target, and hands each datagram to the flow.
 *
 * <p>An ICMP port unreachable on that socket (ECONNREFUSED on a connected UDP socket, udp(7)) ends the flow as
 * upstream unreachable: nothing listens at the target, and a peer that keeps sending opens a new flow later.
 *
 * <p>Limitation: a zero-length datagram from the target never reaches the flow, because Netty 4.2.18 reads a
 * connected datagram socket with recv(2) and takes a zero-byte read for "nothing to read". The socket stays
 * connected anyway, since only a connected UDP socket hears of ICMP errors without IP_RECVERR.
 */
final class TargetSocketHandler extends SimpleChannelInboundHandler<DatagramPacket> {

    private final Flow flow;

    TargetSocketHandler(Flow flow) {
        this.flow = flow;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        byte[] bytes = ByteBufUtil.getBytes(packet.content());
        flow.fromTarget(new Datagram(bytes, packet.sender()));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof PortUnreachableException) {
            flow.stop(ConnectionOutcome.UPSTREAM_UNREACHABLE, Endpoint.describe(ctx.channel().remoteAddress())
                + " refused (ICMP port unreachable)");
        } else {
            flow.stop(ConnectionOutcome.INTERNAL_ERROR, "flow socket: " + cause);
        }
    }
}
