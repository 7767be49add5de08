package dev.ice.tunnel.proxy;

import java.net.Inet4Address;
import java.net.InetSocketAddress;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;

/**
 * Sends a PROXY v2 header to a plaintext service, so that a service such as nginx with {@code listen ...
 * proxy_protocol} sees the real client instead of ICE.
 */
public final class ProxyHeaderWriter {

    private ProxyHeaderWriter() {
    }

    /**
     * Writes a PROXY v2 header naming the client as the first bytes of a newly connected channel. Call it on the
     * channel's event loop, before anything else is written.
     *
     * @param service the connection to the service
     * @param client the real client
     * @param destination the address the client connected to; of the client's family
     * @return completes when the header is written
     */
    public static ChannelFuture write(Channel service, InetSocketAddress client, InetSocketAddress destination) {
        HAProxyMessage header = v2(client, destination);
        // Netty's encoder joins the pipeline for this one write; the stream that follows is ICE's business.
        ChannelPipeline pipeline = service.pipeline();
        pipeline.addFirst(HAProxyMessageEncoder.INSTANCE);
        try {
            return service.writeAndFlush(header);
        } finally {
            pipeline.remove(HAProxyMessageEncoder.INSTANCE);
        }
    }

    /**
     * @param client the real client
     * @param destination the address the client connected to
     * @return a v2 PROXY command over TCP naming the two
     * @throws IllegalArgumentException if the two addresses are of different families
     */
    static HAProxyMessage v2(InetSocketAddress client, InetSocketAddress destination) {
        boolean ipv4 = client.getAddress() instanceof Inet4Address;
        if (ipv4 != destination.getAddress() instanceof Inet4Address) {
            throw new IllegalArgumentException("a PROXY header names two addresses of one family, got " + client
                + " and " + destination);
        }
        return new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY,
            ipv4 ? HAProxyProxiedProtocol.TCP4 : HAProxyProxiedProtocol.TCP6, literal(client), literal(destination),
            client.getPort(), destination.getPort());
    }

    // A header carries bare addresses: an IPv6 scope such as "%eth0" has no place in it.
    private static String literal(InetSocketAddress address) {
        String text = address.getAddress().getHostAddress();
        int scope = text.indexOf('%');
        return scope < 0 ? text : text.substring(0, scope);
    }
}
