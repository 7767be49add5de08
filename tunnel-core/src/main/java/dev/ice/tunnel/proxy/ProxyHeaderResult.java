package dev.ice.tunnel.proxy;

import java.net.InetSocketAddress;

import dev.ice.tunnel.ConnectionOutcome;

/** What {@link ProxyHeaderReader} made of the start of one stream. */
public sealed interface ProxyHeaderResult {

    /**
     * A trusted header named the client.
     *
     * @param client the real client, as the load balancer saw it
     * @param destination the address the client connected to, as the load balancer saw it
     */
    record Proxied(InetSocketAddress client, InetSocketAddress destination) implements ProxyHeaderResult {
    }

    /**
     * The connection's own addresses stand: no header came (mode accept), or a trusted header named no client, as
     * a load balancer's own health checks do (v2 LOCAL, v1 UNKNOWN).
     *
     * @param why which of the two, for tests and debugging
     */
    record Direct(String why) implements ProxyHeaderResult {
    }

    /**
     * The stream is refused and its channel closed.
     *
     * @param outcome why, from the one catalogue
     * @param detail what was seen, for the log
     */
    record Refused(ConnectionOutcome outcome, String detail) implements ProxyHeaderResult {
    }
}
