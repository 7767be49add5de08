package dev.ice.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ice.tunnel.Endpoint;
import dev.ice.tunnel.fernet.FernetContext;
import dev.ice.tunnel.key.LiveKeyRing;
import dev.ice.tunnel.proxy.ProxyProtocol;
import dev.ice.tunnel.relay.ConnectionListener;
import dev.ice.tunnel.relay.Transport;
import dev.ice.tunnel.relay.Tunnel;
import dev.ice.tunnel.relay.TunnelConfig;
import dev.ice.tunnel.relay.TunnelMode;
import dev.ice.tunnel.tls.TlsPolicy;
import dev.ice.tunnel.tls.TlsPskContext;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** Runs one explicit tunnel until the process is told to stop. */
abstract class TunnelCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger("ice.tunnel");

    @ParentCommand
    IceTunnel parent;

    @Mixin
    TunnelOptions options;

    @Mixin
    UdpOptions udp;

    /** @return client or server */
    abstract TunnelMode mode();

    /** @return the option the listen address came from, and its value */
    abstract Endpoint listen();

    /** @return where accepted connections go */
    abstract Endpoint target();

    /**
     * @param handshakeTimeout the handshake timeout, which bounds a PROXY header too
     * @return how the tunnel uses the PROXY protocol; only a server tunnel can
     */
    ProxyProtocol proxyProtocol(Duration handshakeTimeout) {
        return ProxyProtocol.OFF;
    }

    @Override
    public Integer call() throws InterruptedException {
        Endpoint listen = listen();
        Endpoint target = target();
        udp.checkUnusedWithoutUdp();
        if (udp.udp) {
            // Limitation: a UDP tunnel takes the key file's first key only, and does not reload it, because the
            // DTLS engine was built for one key before key files could hold several.
            return UdpTunnelRunner.run(mode(), listen, target, options, udp,
                options.keys(parent.environment(), LOG::warn).get().offered());
        }
        TlsPolicy policy = options.policy();
        String strategy = options.strategy(parent.environment());
        LiveKeyRing keys = options.keys(parent.environment(), LOG::warn);
        ProxyProtocol proxy = proxyProtocol(policy.handshakeTimeout());
        TunnelConfig config = new TunnelConfig(mode(), listen, target, options.idleTimeout)
            .withProxyProtocol(proxy);
        CountDownLatch stop = Signals.trapTermination();

        Transport transport = Transport.start(0);
        Tunnel tunnel;
        try {
            tunnel = Tunnel.start(config, strategy.equals("fernet") ? new FernetContext(keys,
                policy.handshakeTimeout()) : new TlsPskContext(keys, policy), ConnectionListener.NONE, transport);
        } catch (Exception e) {
            // Netty rethrows the bind failure's IOException undeclared, hence the broad catch.
            transport.close();
            throw new StartupException("cannot listen on " + listen + ": " + (e.getMessage() != null ? e.getMessage()
                : e.getClass().getSimpleName()), e);
        }

        if (proxy.isOn()) {
            LOG.info("PROXY protocol: {}", proxy.describe());
        }
        KeyReloading.start(keys);
        LOG.info("ready: {} tunnel on {} -> {} ({}, identities {}, handshake timeout {} ms)",
            mode().name().toLowerCase(java.util.Locale.ROOT), Endpoint.describe(tunnel.localAddress()), target,
            describe(strategy, policy), keys.get().identities(), policy.handshakeTimeout().toMillis());
        stop.await();

        LOG.info("stopping: closing the listener and open connections");
        keys.close();
        tunnel.close();
        transport.close();
        return 0;
    }

    private static String describe(String strategy, TlsPolicy policy) {
        if (strategy.equals("fernet")) {
            return "fernet tokens";
        }
        return policy.tls12() ? "TLS 1.3 and 1.2 PSK" : "TLS 1.3 PSK";
    }
}
