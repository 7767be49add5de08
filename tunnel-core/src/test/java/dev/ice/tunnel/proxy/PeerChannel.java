package dev.ice.tunnel.proxy;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;

/** An in-memory channel that seems to come from a given peer, as an accepted TCP connection does. */
final class PeerChannel extends EmbeddedChannel {

    private final InetSocketAddress peer;

    private PeerChannel(InetSocketAddress peer) {
        super(false, false);
        this.peer = peer;
    }

    /** @return a registered, active channel from {@code peer} with the handlers in its pipeline */
    static PeerChannel from(InetSocketAddress peer, ChannelHandler... handlers) throws Exception {
        PeerChannel channel = new PeerChannel(peer);
        channel.pipeline().addLast(handlers);
        channel.register();
        return channel;
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return peer;
    }
}
