package dev.ice.tunnel.udp;

import java.net.InetSocketAddress;
import java.util.Optional;

import dev.ice.tunnel.Endpoint;
import io.netty.channel.Channel;

/**
 * Where a UDP tunnel's flows go and where the replies to their peers come from: the part that differs between the
 * explicit tunnel, which sends every flow to one target, and a transparent sidecar, which learns each flow's
 * destination from the datagram itself.
 *
 * <p>A flow is identified by {@link #flowKey}: datagrams with equal keys share one flow (one DTLS session). The
 * tunnel calls {@link #flowKey} for every datagram on its listener, and the other methods once per new flow, all
 * on the listener's event loop.
 */
public interface FlowRouting {

    /**
     * @param peer where a datagram on the listener came from
     * @param recipient the address it was sent to: the listener's own address, or for an intercepted datagram its
     *     original destination
     * @return what identifies the flow the datagram belongs to; must have value equality
     */
    Object flowKey(InetSocketAddress peer, InetSocketAddress recipient);

    /**
     * @return where the new flow's datagrams go (client: the DTLS server; server: the plaintext service), or empty
     *     to refuse the flow
     */
    Optional<InetSocketAddress> destination(InetSocketAddress peer, InetSocketAddress recipient);

    /**
     * @param listener the tunnel's listening channel
     * @return the channel that sends datagrams back to the flow's peer
     */
    Channel replySource(Channel listener, InetSocketAddress recipient);

    /**
     * The explicit tunnel's routing: one flow per peer address, every flow to one destination, replies from the
     * listening socket, so that a peer hears back from the address it sent to.
     *
     * @param destination where every flow goes
     * @return the routing
     */
    static FlowRouting fixed(InetSocketAddress destination) {
        return new FlowRouting() {
            @Override
            public Object flowKey(InetSocketAddress peer, InetSocketAddress recipient) {
                return peer;
            }

            @Override
            public Optional<InetSocketAddress> destination(InetSocketAddress peer, InetSocketAddress recipient) {
                return Optional.of(destination);
            }

            @Override
            public Channel replySource(Channel listener, InetSocketAddress recipient) {
                return listener;
            }

            @Override
            public String toString() {
                return Endpoint.describe(destination);
            }
        };
    }
}
