package dev.ice.tunnel.relay;

import java.time.Duration;
import java.util.Objects;

import dev.ice.tunnel.Endpoint;

/**
 * What one tunnel listener does.
 *
 * @param mode client (plaintext in, TLS out) or server (TLS in, plaintext out)
 * @param listen where to accept connections
 * @param target where to connect each accepted connection
 * @param idleTimeout close a connection after this long with no data either way; zero turns it off
 * @param socketMark the SO_MARK put on the connections the tunnel opens, so that ICE's own interception rules let
 *     them pass; 0 for none
 */
public record TunnelConfig(TunnelMode mode, Endpoint listen, Target target, Duration idleTimeout, int socketMark) {

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
    }

    /** An explicit tunnel to a fixed target, with no socket mark. */
    public TunnelConfig(TunnelMode mode, Endpoint listen, Endpoint target, Duration idleTimeout) {
        this(mode, listen, new Target.Fixed(target), idleTimeout, 0);
    }
}
