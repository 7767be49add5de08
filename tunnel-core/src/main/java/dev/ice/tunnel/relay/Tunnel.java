package dev.ice.tunnel.relay;

import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import dev.ice.tunnel.ConnectionOutcome;
import dev.ice.tunnel.CryptoStrategy;
import dev.ice.tunnel.Endpoint;
import dev.ice.tunnel.tls.TlsHandshakeEvent;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.handler.timeout.IdleStateHandler;

/**
 * A listening tunnel: each accepted connection is joined to a new connection to the target, protected by the crypto
 * strategy (TLS-PSK or fernet) on one side and plaintext on the other (or plaintext on both when encryption is
 * off).
 *
 * <p>The TLS side is always finished first: a server tunnel opens no backend connection for a peer that has not
 * proved the key, and a client tunnel reads nothing from the application until the server has. A server tunnel
 * configured for the PROXY protocol reads the header in front of the TLS stream before anything else.
 */
public final class Tunnel implements AutoCloseable {

    // A leg stops reading once the other side has this much unsent; 256 KiB keeps a 10 Gbit/s pipe busy.
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(128 * 1024, 256 * 1024);

    private static final InetAddress LOOPBACK_V4 = loopback(new byte[] {127, 0, 0, 1});
    private static final InetAddress LOOPBACK_V6 = loopback(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        1});

    // A peer that vanishes without FIN or RST (a partition, a host gone) is found by TCP keepalive: first probe after
    // 60 s of silence, then 6 probes 10 s apart, so both legs close within 2 minutes.
    private static final int KEEPALIVE_IDLE_SECONDS = 60;
    private static final int KEEPALIVE_INTERVAL_SECONDS = 10;
    private static final int KEEPALIVE_PROBES = 6;

    private final TunnelConfig config;
    private final CryptoStrategy tls;
    private final ConnectionListener listener;
    private final Channel serverChannel;

    private Tunnel(TunnelConfig config, CryptoStrategy tls, ConnectionListener listener, Transport transport) {
        this.config = config;
        this.tls = tls;
        this.listener = listener;
        ServerBootstrap bootstrap = new ServerBootstrap()
            .group(transport.group())
            .channelFactory(() -> new EpollServerSocketChannel(familyOf(config.listen())))
            .option(ChannelOption.SO_REUSEADDR, true)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .childOption(EpollChannelOption.TCP_KEEPIDLE, KEEPALIVE_IDLE_SECONDS)
            .childOption(EpollChannelOption.TCP_KEEPINTVL, KEEPALIVE_INTERVAL_SECONDS)
            .childOption(EpollChannelOption.TCP_KEEPCNT, KEEPALIVE_PROBES)
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
            .childOption(ChannelOption.AUTO_READ, config.mode() == TunnelMode.SERVER)
            .childHandler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel accepted) {
                    accept(accepted);
                }
            });
        if (config.listen().host().contains(":")) {
            bootstrap.option(LinuxSockets.IPV6_V6ONLY, 1);
        }
        ChannelFuture bound = bootstrap.bind(config.listen().host(), config.listen().port()).syncUninterruptibly();
        this.serverChannel = bound.channel();
    }

    // One socket per address family, so that an IPv4 listener is a real AF_INET socket: SO_ORIGINAL_DST is read at
    // the level of the connection's own family, and an IPv6 listener can be IPv6-only beside it.
    private static SocketProtocolFamily familyOf(Endpoint listen) {
        return listen.host().contains(":") ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
    }

    /**
     * Binds the listener and starts accepting.
     *
     * @param config what to listen on and where to go
     * @param tls the trust plane's crypto strategy (TLS-PSK or fernet), or null to relay plaintext (encryption
     *     turned off)
     * @param listener told about each connection
     * @param transport the event loops to run on
     * @return the running tunnel
     */
    public static Tunnel start(TunnelConfig config, CryptoStrategy tls, ConnectionListener listener,
            Transport transport) {
        return new Tunnel(config, tls, listener, transport);
    }

    /** @return the address the listener is bound to, with the real port when port 0 was asked for */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Stops accepting. Connections already open carry on until they end or the transport stops. */
    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
    }

    private void accept(Channel accepted) {
        boolean server = config.mode() == TunnelMode.SERVER;
        Optional<SocketAddress> target = targetOf(accepted);
        Connection connection = new Connection(server ? "server" : "client", accepted.remoteAddress(),
            target.map(Endpoint::describe).orElse(config.target().toString()), listener);
        ProxyProtocolStage proxy = new ProxyProtocolStage(config.proxyProtocol(), connection, accepted, target);
        Leg acceptedLeg = new Leg(connection, true);
        ChannelPipeline pipeline = accepted.pipeline();
        addIdleTimeout(pipeline);
        if (proxy.readsHeader()) {
            pipeline.addLast(proxy.newReader(() -> proxyHeaderAccepted(connection, acceptedLeg, target, proxy)));
        }
        if (server && tls != null) {
            pipeline.addLast(tls.newServerHandler());
            acceptedLeg.onHandshake(event -> serverHandshakeEnded(event, connection, acceptedLeg, target, proxy));
        }
        pipeline.addLast(acceptedLeg);

        if (target.isEmpty()) {
            connection.fail(ConnectionOutcome.NOT_INTERCEPTED, "no interception rule sent it here, or its port "
                + "has no role; roles: " + config.target());
            acceptedLeg.abort();
        } else if (!server || (tls == null && !proxy.readsHeader())) {
            openedInPlaintextIfUnencrypted(connection);
            connectTarget(accepted, connection, acceptedLeg, target.get(), proxy, true);
        }
    }

    // Without TLS the service is connected as soon as the header is read; with TLS, once the handshake after it
    // ends (serverHandshakeEnded).
    private void proxyHeaderAccepted(Connection connection, Leg acceptedLeg, Optional<SocketAddress> target,
            ProxyProtocolStage proxy) {
        if (tls == null && target.isPresent()) {
            openedInPlaintextIfUnencrypted(connection);
            Channel accepted = acceptedLeg.channel();
            accepted.config().setAutoRead(false);
            connectTarget(accepted, connection, acceptedLeg, target.get(), proxy, true);
        }
    }

    private Optional<SocketAddress> targetOf(Channel accepted) {
        return switch (config.target()) {
            case Target.Fixed fixed -> Optional.of(fixed.endpoint().toSocketAddress());
            case Target.OriginalDestination redirected -> LinuxSockets.originalDestination(accepted)
                .filter(original -> redirected.ports().contains(original.getPort()))
                .map(SocketAddress.class::cast);
        };
    }

    private void serverHandshakeEnded(TlsHandshakeEvent event, Connection connection, Leg acceptedLeg,
            Optional<SocketAddress> target, ProxyProtocolStage proxy) {
        if (!event.isSuccess()) {
            connection.fail(event.outcome(), event.detail());
            return;
        }
        connection.opened(event.protocol(), event.cipherSuite());
        if (target.isPresent()) {
            // Hold the client's data until the backend is there to take it.
            Channel accepted = acceptedLeg.channel();
            accepted.config().setAutoRead(false);
            connectTarget(accepted, connection, acceptedLeg, target.get(), proxy, true);
        }
    }

    private void openedInPlaintextIfUnencrypted(Connection connection) {
        if (tls == null) {
            connection.opened("plaintext", "UNENCRYPTED");
        }
    }

    private void connectTarget(Channel accepted, Connection connection, Leg acceptedLeg, SocketAddress target,
            ProxyProtocolStage proxy, boolean mayFallBack) {
        boolean tlsOut = config.mode() == TunnelMode.CLIENT && tls != null;
        Leg targetLeg = new Leg(connection, false);
        if (tlsOut) {
            targetLeg.onHandshake(event -> clientHandshakeEnded(event, connection, acceptedLeg, targetLeg));
        }
        bootstrap(accepted, targetLeg, tlsOut).connect(target).addListener((ChannelFuture connected) -> {
            if (connected.isSuccess()) {
                if (!tlsOut) {
                    proxy.sendHeaderTo(connected.channel());
                    Leg.link(acceptedLeg, targetLeg);
                }
                return;
            }
            Optional<SocketAddress> loopback = mayFallBack ? loopbackFallback(target, connected.cause())
                : Optional.empty();
            if (loopback.isPresent()) {
                connectTarget(accepted, connection, acceptedLeg, loopback.get(), proxy, false);
            } else {
                connection.fail(ConnectionOutcome.UPSTREAM_UNREACHABLE,
                    Endpoint.describe(target) + ": " + connected.cause().getMessage());
                acceptedLeg.abort();
            }
        });
    }

    private Bootstrap bootstrap(Channel accepted, Leg targetLeg, boolean tlsOut) {
        Bootstrap bootstrap = new Bootstrap()
            .group(accepted.eventLoop())
            .channel(EpollSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true)
            .option(EpollChannelOption.TCP_KEEPIDLE, KEEPALIVE_IDLE_SECONDS)
            .option(EpollChannelOption.TCP_KEEPINTVL, KEEPALIVE_INTERVAL_SECONDS)
            .option(EpollChannelOption.TCP_KEEPCNT, KEEPALIVE_PROBES)
            .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .option(ChannelOption.AUTO_READ, tlsOut)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) TunnelConfig.CONNECT_TIMEOUT.toMillis())
            .handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel target) {
                    addIdleTimeout(target.pipeline());
                    if (tlsOut) {
                        target.pipeline().addLast(tls.newClientHandler());
                    }
                    target.pipeline().addLast(targetLeg);
                }
            });
        if (config.socketMark() != 0) {
            bootstrap.option(LinuxSockets.MARK, config.socketMark());
        }
        return bootstrap;
    }

    // A service bound only to 127.0.0.1 refuses connections to the container's address: try loopback once.
    private Optional<SocketAddress> loopbackFallback(SocketAddress target, Throwable cause) {
        if (!(config.target() instanceof Target.OriginalDestination redirected) || !redirected.loopbackFallback()
            || !(cause instanceof ConnectException) || !(target instanceof InetSocketAddress inet)
            || inet.getAddress().isLoopbackAddress()) {
            return Optional.empty();
        }
        InetAddress loopback = inet.getAddress() instanceof Inet6Address ? LOOPBACK_V6 : LOOPBACK_V4;
        return Optional.of(new InetSocketAddress(loopback, inet.getPort()));
    }

    private void clientHandshakeEnded(TlsHandshakeEvent event, Connection connection, Leg acceptedLeg,
            Leg targetLeg) {
        if (!event.isSuccess()) {
            connection.fail(event.outcome(), event.detail());
            acceptedLeg.abort();
            return;
        }
        connection.opened(event.protocol(), event.cipherSuite());
        Leg.link(acceptedLeg, targetLeg);
    }

    private static InetAddress loopback(byte[] address) {
        try {
            return InetAddress.getByAddress(address);
        } catch (java.net.UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private void addIdleTimeout(ChannelPipeline pipeline) {
        long idleMillis = config.idleTimeout().toMillis();
        if (idleMillis > 0) {
            pipeline.addLast(new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
        }
    }
}
