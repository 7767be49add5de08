package dev.ice.tunnel.udp;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import dev.ice.tunnel.Endpoint;
import dev.ice.tunnel.key.PresharedKey;
import dev.ice.tunnel.relay.Transport;
import dev.ice.tunnel.relay.TunnelMode;
import dev.ice.tunnel.tls.DtlsPolicy;
import dev.ice.tunnel.tls.DtlsPskContext;

/**
 * A client UDP tunnel and a server UDP tunnel on loopback, as two icetunnel processes would run them, with the
 * server forwarding to a test service.
 */
final class UdpTunnelPair implements AutoCloseable {

    static final PresharedKey KEY = new PresharedKey("ice",
        "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8));

    /** A short handshake timeout, so that tests of failing handshakes end quickly. */
    static final DtlsPolicy QUICK = new DtlsPolicy(false, Duration.ofSeconds(3));

    final Transport transport = Transport.start(2);
    final FlowEvents serverEvents = new FlowEvents();
    final FlowEvents clientEvents = new FlowEvents();
    final UdpTunnel server;
    final UdpTunnel client;

    UdpTunnelPair(InetSocketAddress service) {
        this(service, UdpTunnelConfig.DEFAULT_IDLE_TIMEOUT, UdpTunnelConfig.DEFAULT_MAX_FLOWS);
    }

    UdpTunnelPair(InetSocketAddress service, Duration idleTimeout, int maxFlows) {
        server = UdpTunnel.start(config(TunnelMode.SERVER, service, idleTimeout, maxFlows),
            new DtlsPskContext(KEY, QUICK), serverEvents, transport);
        client = clientTo(new DtlsPskContext(KEY, QUICK), clientEvents, idleTimeout, maxFlows);
    }

    /** Starts another client tunnel toward this pair's server, e.g. with a different key. */
    UdpTunnel clientTo(DtlsPskContext dtls, FlowEvents events, Duration idleTimeout, int maxFlows) {
        return UdpTunnel.start(config(TunnelMode.CLIENT, server.localAddress(), idleTimeout, maxFlows), dtls,
            events, transport);
    }

    static UdpTunnelConfig config(TunnelMode mode, InetSocketAddress target, Duration idleTimeout, int maxFlows) {
        return new UdpTunnelConfig(mode, new Endpoint(Endpoint.LOOPBACK, 0),
            new Endpoint(target.getAddress().getHostAddress(), target.getPort()), idleTimeout, maxFlows, 1500);
    }

    @Override
    public void close() {
        client.close();
        server.close();
        transport.close();
    }
}
