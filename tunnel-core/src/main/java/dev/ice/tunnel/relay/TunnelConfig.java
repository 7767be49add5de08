package dev.ice.tunnel.relay;

import java.time.Duration;
import java.util.Objects;

import dev.ice.tunnel.Endpoint;
import dev.ice.tunnel.proxy.ProxyProtocol;

/**
 * What one tunnel listener does.
 *
 * @param mode client (plaintext in, TLS out) or server (TLS in, plaintext out)
 * @param listen where to accept connections
 * @param target where to connect each accepted connection
 * @param idleTimeout close a connection after this long with no data either way; zero turns it off
 * @param socketMark the SO_MARK put on the connections the tunnel opens, so that ICE's own interception rules let
 *     them pass; 0 for none
 * @param proxyProtocol (server tunnels) whether a PROXY header is read in front of each stream and sent to the
 *     service
 */
public record TunnelConfig(TunnelMode mode, Endpoint listen, Target target, Duration idleTimeout, int socketMark,
        ProxyProtocol proxyProtocol) {

    /** How long to wait for the target to accept a connection. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /** Checks the values. */
    public TunnelConfig {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(target, "target");
        if (idleTimeout.isNegative()) {
            throw new IllegalArgumentException("idle timeout must not be negative, got " + idleTimeout);
        }
        Objects.requireNonNull(proxyProtocol, "proxyProtocol");
        if (mode == TunnelMode.CLIENT && proxyProtocol.isOn()) {
            throw new IllegalArgumentException("the PROXY protocol is for server tunnels, which accept from load "
                + "balancers; a client tunnel cannot use it");
        }
    }

    /** A tunnel without the PROXY protocol. */
    public TunnelConfig(TunnelMode mode, Endpoint listen, Target target, Duration idleTimeout, int socketMark) {
        this(mode, listen, target, idleTimeout, socketMark, ProxyProtocol.OFF);
    }

    /** An explicit tunnel to a fixed target, with no socket mark. */
    public TunnelConfig(TunnelMode mode, Endpoint listen, Endpoint target, Duration idleTimeout) {
        this(mode, listen, new Target.Fixed(target), idleTimeout, 0);
    }

    /**
     * @param proxy the PROXY protocol settings
     * @return this configuration with them
     */
    public TunnelConfig withProxyProtocol(ProxyProtocol proxy) {
        return new TunnelConfig(mode, listen, target, idleTimeout, socketMark, proxy);
    }
}
