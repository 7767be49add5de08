package dev.ice.cli;

import java.util.Locale;
import java.util.concurrent.CountDownLatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import sun.misc.Signal;

import dev.ice.tunnel.Endpoint;
import dev.ice.tunnel.key.PresharedKey;
import dev.ice.tunnel.relay.ConnectionListener;
import dev.ice.tunnel.relay.Transport;
import dev.ice.tunnel.relay.TunnelMode;
import dev.ice.tunnel.tls.DtlsPolicy;
import dev.ice.tunnel.tls.DtlsPskContext;
import dev.ice.tunnel.udp.UdpTunnel;
import dev.ice.tunnel.udp.UdpTunnelConfig;

/** Runs one explicit UDP tunnel until the process is told to stop: the {@code --udp} form of client and server. */
final class UdpTunnelRunner {

    private static final Logger LOG = LoggerFactory.getLogger("ice.tunnel");

    private UdpTunnelRunner() {
    }

    /**
     * @param mode client (plaintext datagrams in, DTLS out) or server (DTLS in, plaintext datagrams out)
     * @return the exit status, 0 once stopped by SIGTERM or SIGINT
     */
    static int run(TunnelMode mode, Endpoint listen, Endpoint target, TunnelOptions shared, UdpOptions udp,
            PresharedKey key) throws InterruptedException {
        DtlsPolicy policy = udp.policy(shared);
        UdpTunnelConfig config = new UdpTunnelConfig(mode, listen, target, udp.idleTimeout(shared), udp.maxFlows,
            udp.pathMtu);

        Transport transport = Transport.start(0);
        UdpTunnel tunnel;
        try {
            tunnel = UdpTunnel.start(config, new DtlsPskContext(key, policy), ConnectionListener.NONE, transport);
        } catch (IllegalArgumentException e) {
            transport.close();
            throw e;
        } catch (Exception e) {
            // Netty rethrows the bind failure's IOException undeclared, hence the broad catch.
            transport.close();
            throw new StartupException("cannot listen on UDP " + listen + ": " + e.getMessage(), e);
        }

        CountDownLatch stop = new CountDownLatch(1);
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> stop.countDown());
        }
        LOG.info("ready: udp {} tunnel on {} -> {} (DTLS 1.2 PSK, identity '{}', datagrams up to {} B for path MTU "
            + "{}, idle timeout {} s, at most {} flows, handshake timeout {} ms)", mode.name().toLowerCase(Locale.ROOT),
            Endpoint.describe(tunnel.localAddress()), target, key.identity(), tunnel.maxPayload(), config.pathMtu(),
            config.idleTimeout().toSeconds(), config.maxFlows(), policy.handshakeTimeout().toMillis());
        stop.await();

        LOG.info("stopping: closing the UDP listener and its flows");
        tunnel.close();
        transport.close();
        return 0;
    }
}
