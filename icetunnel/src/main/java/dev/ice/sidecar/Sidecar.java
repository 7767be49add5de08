package dev.ice.sidecar;

import java.util.ArrayList;
import java.util.List;

import dev.ice.tunnel.CryptoStrategy;
import dev.ice.tunnel.Endpoint;
import dev.ice.tunnel.fernet.FernetContext;
import dev.ice.tunnel.relay.ConnectionListener;
import dev.ice.tunnel.relay.Target;
import dev.ice.tunnel.relay.Transport;
import dev.ice.tunnel.relay.Tunnel;
import dev.ice.tunnel.relay.TunnelConfig;
import dev.ice.tunnel.relay.TunnelMode;
import dev.ice.tunnel.tls.TlsPskContext;

/**
 * The sidecar's listeners: one for the traffic of every server role, one for every client role, each with an IPv6
 * twin when IPv6 is intercepted.
 *
 * <ul>
 *   <li>Inbound (server roles) listens on all addresses, where REDIRECT in PREROUTING delivers: TLS-PSK in (after
 *       a PROXY header, if configured), then plaintext to the service at the original destination, or on loopback
 *       if the service listens only there.</li>
 *   <li>Outbound (client roles) listens on loopback, where REDIRECT in OUTPUT delivers: plaintext in from the
 *       service, TLS-PSK out to the original destination, where the peer's server role takes it.</li>
 * </ul>
 * The sidecar's own sockets carry its socket mark, which its rules let pass, so nothing it opens is intercepted
 * again.
 */
public final class Sidecar implements AutoCloseable {

    private final List<Tunnel> listeners;

    private Sidecar(List<Tunnel> listeners) {
        this.listeners = listeners;
    }

    /**
     * Binds the listeners.
     *
     * @param settings the configuration
     * @param ipv6 whether to listen for IPv6 too
     * @param listener told about connections
     * @param transport the event loops
     * @return the running listeners
     */
    public static Sidecar start(SidecarSettings settings, boolean ipv6, ConnectionListener listener,
            Transport transport) {
        CryptoStrategy tls = settings.encryptionEnabled() ? strategy(settings) : null;
        List<Tunnel> listeners = new ArrayList<>();
        try {
            if (!settings.serverPorts().isEmpty()) {
                Target inbound = new Target.OriginalDestination(settings.serverPorts(), true);
                listeners.add(listen(TunnelMode.SERVER, "0.0.0.0", settings.inboundPort(), inbound, settings, tls,
                    listener, transport));
                if (ipv6) {
                    listeners.add(listen(TunnelMode.SERVER, "::", settings.inboundPort(), inbound, settings, tls,
                        listener, transport));
                }
            }
            if (!settings.clientPorts().isEmpty()) {
                Target outbound = new Target.OriginalDestination(settings.clientPorts(), false);
                listeners.add(listen(TunnelMode.CLIENT, "127.0.0.1", settings.outboundPort(), outbound, settings,
                    tls, listener, transport));
                if (ipv6) {
                    listeners.add(listen(TunnelMode.CLIENT, "::1", settings.outboundPort(), outbound, settings, tls,
                        listener, transport));
                }
            }
        } catch (Exception e) {
            // Netty rethrows a bind failure's IOException undeclared, hence the broad catch.
            listeners.forEach(Tunnel::close);
            throw e;
        }
        return new Sidecar(listeners);
    }

    private static CryptoStrategy strategy(SidecarSettings settings) {
        if (settings.strategy().equals(SidecarSettings.STRATEGY_FERNET)) {
            return new FernetContext(settings.keys(), settings.policy().handshakeTimeout());
        }
        return new TlsPskContext(settings.keys(), settings.policy());
    }

    /** @return what each listener is bound to, for the log */
    public List<String> describe() {
        return listeners.stream().map(tunnel -> Endpoint.describe(tunnel.localAddress())).toList();
    }

    /** Stops accepting; redirected connections are then refused until the rules are removed. */
    @Override
    public void close() {
        listeners.forEach(Tunnel::close);
    }

    private static Tunnel listen(TunnelMode mode, String host, int port, Target target, SidecarSettings settings,
            CryptoStrategy tls, ConnectionListener listener, Transport transport) {
        TunnelConfig config = new TunnelConfig(mode, new Endpoint(host, port), target, settings.idleTimeout(),
            settings.socketMark());
        if (mode == TunnelMode.SERVER) {
            // Limitation: one PROXY setting for every server role, because they all share this inbound listener.
            config = config.withProxyProtocol(settings.proxyProtocol());
        }
        return Tunnel.start(config, tls, listener, transport);
    }
}
