package dev.ice.tunnel.udp;

import java.time.Duration;
import java.util.Objects;

import dev.ice.tunnel.Endpoint;
import dev.ice.tunnel.relay.TunnelMode;

/**
 * What one UDP tunnel listener does.
 *
 * @param mode client (plaintext datagrams in, DTLS out) or server (DTLS in, plaintext datagrams out)
 * @param listen where to receive datagrams
 * @param target where each flow goes: the DTLS server (client mode) or the plaintext service (server mode)
 * @param idleTimeout end a flow after this long without an application datagram either way
 * @param maxFlows the most flows open at once; datagrams that would open another are dropped and logged
 * @param pathMtu the smallest MTU on the path between the two tunnel ends, which sets the largest datagram carried
 *     (see {@link DatagramLimits})
 */
public record UdpTunnelConfig(TunnelMode mode, Endpoint listen, Endpoint target, Duration idleTimeout, int maxFlows,
        int pathMtu) {

    /** A flow with no datagram either way for this long ends; a later datagram opens a new one. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

    /** At most this many flows per listener unless configured; each can hold a few hundred KiB at worst. */
    public static final int DEFAULT_MAX_FLOWS = 1024;

    /** Checks the values. */
    public UdpTunnelConfig {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(target, "target");
        if (idleTimeout.isNegative() || idleTimeout.isZero() || idleTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("UDP idle timeout must be positive (flows must end for new ones to "
                + "fit), got " + idleTimeout + "; the default is " + DEFAULT_IDLE_TIMEOUT.toSeconds() + "s");
        }
        if (maxFlows < 1) {
            throw new IllegalArgumentException("max flows " + maxFlows + " must be at least 1; the default is "
                + DEFAULT_MAX_FLOWS);
        }
        DatagramLimits.checkPathMtu(pathMtu);
    }

    /** An explicit UDP tunnel with the default idle timeout, flow limit and path MTU. */
    public UdpTunnelConfig(TunnelMode mode, Endpoint listen, Endpoint target) {
        this(mode, listen, target, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_FLOWS, DatagramLimits.DEFAULT_PATH_MTU);
    }
}
