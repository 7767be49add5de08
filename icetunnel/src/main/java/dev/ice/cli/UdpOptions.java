package dev.ice.cli;

import java.time.Duration;

import dev.ice.tunnel.tls.DtlsPolicy;
import dev.ice.tunnel.udp.DatagramLimits;
import dev.ice.tunnel.udp.UdpTunnelConfig;
import picocli.CommandLine.Option;

/** Options of the UDP tunnel (DTLS 1.2 PSK), mixed into the client and server commands. */
final class UdpOptions {

    @Option(names = "--udp", description = "Carry UDP datagrams over DTLS 1.2 PSK instead of TCP over TLS. Each "
        + "peer address is a flow; --idle-timeout 0 (the default) then means 60s, since flows must end.")
    boolean udp;

    @Option(names = "--max-flows", paramLabel = "N", defaultValue = "" + UdpTunnelConfig.DEFAULT_MAX_FLOWS,
        description = "With --udp, the most flows (peer addresses) open at once; more are refused and logged "
        + "(default: ${DEFAULT-VALUE}).")
    int maxFlows;

    @Option(names = "--mtu", paramLabel = "BYTES", defaultValue = "" + DatagramLimits.DEFAULT_PATH_MTU,
        description = "With --udp, the smallest MTU on the path between the tunnel ends; larger datagrams than it "
        + "carries are dropped and logged (default: ${DEFAULT-VALUE}).")
    int pathMtu;

    @Option(names = "--unsafe-dtls-plain-psk", description = "With --udp, also allow "
        + "TLS_PSK_WITH_AES_128_GCM_SHA256, which has no forward secrecy.")
    boolean unsafePlainPsk;

    /** @return the DTLS policy the options describe, with the shared handshake timeout */
    DtlsPolicy policy(TunnelOptions shared) {
        if (shared.tls12 || shared.unsafePlainPsk) {
            throw new IllegalArgumentException("--tls12 and --unsafe-tls12-plain-psk are for TCP; with --udp the "
                + "protocol is always DTLS 1.2 (use --unsafe-dtls-plain-psk for plain PSK)");
        }
        if (shared.handshakeTimeout.isZero() || shared.handshakeTimeout.isNegative()) {
            throw new IllegalArgumentException("--handshake-timeout '" + shared.handshakeTimeout.toMillis()
                + "ms': give a positive duration, e.g. 10s");
        }
        return new DtlsPolicy(unsafePlainPsk, shared.handshakeTimeout);
    }

    /** @return the idle timeout: --idle-timeout if set, else the UDP default, since UDP flows must end */
    Duration idleTimeout(TunnelOptions shared) {
        return shared.idleTimeout.isZero() ? UdpTunnelConfig.DEFAULT_IDLE_TIMEOUT : shared.idleTimeout;
    }

    /** Refuses UDP options given without --udp, which would otherwise be ignored silently. */
    void checkUnusedWithoutUdp() {
        if (!udp && (unsafePlainPsk || maxFlows != UdpTunnelConfig.DEFAULT_MAX_FLOWS
            || pathMtu != DatagramLimits.DEFAULT_PATH_MTU)) {
            throw new IllegalArgumentException("--max-flows, --mtu and --unsafe-dtls-plain-psk need --udp");
        }
    }
}
