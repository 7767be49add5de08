package dev.ice.tunnel.relay;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import dev.ice.tunnel.ConnectionOutcome;
import dev.ice.tunnel.tls.TlsHandshakeEvent;
import dev.ice.tunnel.tls.TlsPskContext;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;

/**
 * A listening tunnel: each accepted connection is joined to a new connection to the target, with TLS-PSK on one
 * side and plaintext on the other.
 *
 * <p>The TLS side is always finished first: a server tunnel opens no backend connection for a peer that has not
 * proved the key, and a client tunnel reads nothing from the application until the server has.
 */
public final class Tunnel implements AutoCloseable {

    // A leg stops reading once the other side has this much unsent; 256 KiB keeps a 10 Gbit/s pipe busy.
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(128 * 1024, 256 * 1024);

    private final TunnelConfig config;
    private final TlsPskContext tls;
    private final ConnectionListener listener;
    private final Channel serverChannel;

    private Tunnel(TunnelConfig config, TlsPskContext tls, ConnectionListener listener, Transport transport) {
        this.config = config;
        this.tls = tls;
        this.listener = listener;
        ServerBootstrap bootstrap = new ServerBootstrap()
            .group(transport.group())
            .channel(EpollServerSocketChannel.class)
            .option(ChannelOption.SO_REUSEADDR, true)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
            .childOption(ChannelOption.AUTO_READ, config.mode() == TunnelMode.SERVER)
            .childHandler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel accepted) {
                    accept(accepted);
                }
            });
        ChannelFuture bound = bootstrap.bind(config.listen().host(), config.listen().port()).syncUninterruptibly();
        this.serverChannel = bound.channel();
    }

    /**
     * Binds the listener and starts accepting.
     *
     * @param config what to listen on and where to go
     * @param tls the trust plane's TLS settings
     * @param listener told about each closed connection
     * @param transport the event loops to run on
     * @return the running tunnel
     */
    public static Tunnel start(TunnelConfig config, TlsPskContext tls, ConnectionListener listener,
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
        Connection connection = new Connection(server ? "server" : "client", accepted.remoteAddress(),
            config.target().toString(), listener);
        Leg acceptedLeg = new Leg(connection, true);
        ChannelPipeline pipeline = accepted.pipeline();
        addIdleTimeout(pipeline);
        if (server) {
            pipeline.addLast(tls.newServerHandler());
            acceptedLeg.onHandshake(event -> serverHandshakeEnded(event, connection, acceptedLeg, accepted));
        }
        pipeline.addLast(acceptedLeg);
        if (!server) {
            connectTarget(accepted, connection, acceptedLeg);
        }
    }

    private void serverHandshakeEnded(TlsHandshakeEvent event, Connection connection, Leg acceptedLeg,
            Channel accepted) {
        if (!event.isSuccess()) {
            connection.fail(event.outcome(), event.detail());
            return;
        }
        connection.opened(event.protocol(), event.cipherSuite());
        // Hold the client's data until the backend is there to take it.
        accepted.config().setAutoRead(false);
        connectTarget(accepted, connection, acceptedLeg);
    }

    private void connectTarget(Channel accepted, Connection connection, Leg acceptedLeg) {
        boolean client = config.mode() == TunnelMode.CLIENT;
        Leg targetLeg = new Leg(connection, false);
        Bootstrap bootstrap = new Bootstrap()
            .group(accepted.eventLoop())
            .channel(EpollSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .option(ChannelOption.AUTO_READ, client)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) TunnelConfig.CONNECT_TIMEOUT.toMillis())
            .handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel target) {
                    addIdleTimeout(target.pipeline());
                    if (client) {
                        target.pipeline().addLast(tls.newClientHandler());
                    }
                    target.pipeline().addLast(targetLeg);
                }
            });
        if (client) {
            targetLeg.onHandshake(event -> clientHandshakeEnded(event, connection, acceptedLeg, targetLeg));
        }
        bootstrap.connect(config.target().host(), config.target().port()).addListener((ChannelFuture connected) -> {
            if (!connected.isSuccess()) {
                connection.fail(ConnectionOutcome.UPSTREAM_UNREACHABLE, config.target() + ": "
                    + connected.cause().getMessage());
                acceptedLeg.abort();
            } else if (!client) {
                Leg.link(acceptedLeg, targetLeg);
            }
        });
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

    private void addIdleTimeout(ChannelPipeline pipeline) {
        long idleMillis = config.idleTimeout().toMillis();
        if (idleMillis > 0) {
            pipeline.addLast(new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
        }
    }
}
