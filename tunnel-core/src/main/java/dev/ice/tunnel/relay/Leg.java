package dev.ice.tunnel.relay;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.function.Consumer;

import dev.ice.tunnel.ConnectionFailure;
import dev.ice.tunnel.ConnectionOutcome;
import dev.ice.tunnel.internal.WriteHalf;
import dev.ice.tunnel.HalfClosingHandler;
import dev.ice.tunnel.tls.TlsHandshakeEvent;
import dev.ice.tunnel.tls.TlsInputClosedEvent;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * One side of a relay: it passes what its channel reads to the other leg's channel, and mirrors how the stream
 * ends.
 *
 * <ul>
 *   <li>Backpressure: when the other channel's outbound buffer passes its high-water mark, this channel stops
 *       reading until it drains, so a slow side never makes ICE buffer without bound.</li>
 *   <li>Half-close: the end of this side's input (a FIN, or close_notify on TLS) shuts the other side's output
 *       once everything before it is written; data keeps flowing the other way.</li>
 *   <li>Reset: a reset, a TLS failure or a truncated TLS stream closes both sides with RST, so neither application
 *       mistakes an abort for a clean end.</li>
 * </ul>
 *
 * <p>Until {@link #link} joins two legs, what a leg reads is queued; its channel does not auto-read then, so the
 * queue holds at most one read.
 */
final class Leg extends ChannelDuplexHandler {

    private static final Object END_OF_INPUT = new Object();

    private final Connection connection;
    private final boolean upward;
    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    private Consumer<TlsHandshakeEvent> handshakeCallback = event -> { };

    private ChannelHandlerContext ctx;
    private Leg peer;
    private boolean inputEnded;
    private boolean outputShut;
    private boolean aborted;

    /**
     * @param connection the connection this leg belongs to
     * @param upward whether what this leg reads travels toward the target (the accepted side's leg)
     */
    Leg(Connection connection, boolean upward) {
        this.connection = connection;
        this.upward = upward;
    }

    /** @return the channel this leg relays for */
    Channel channel() {
        return ctx.channel();
    }

    /** Calls back when the TLS handler on this leg's channel reports the end of its handshake. */
    void onHandshake(Consumer<TlsHandshakeEvent> callback) {
        this.handshakeCallback = callback;
    }

    /** Joins two legs and starts the flow both ways, delivering what either read while waiting. */
    static void link(Leg a, Leg b) {
        a.peer = b;
        b.peer = a;
        if (!a.ctx.channel().isActive() || !b.ctx.channel().isActive()) {
            // One side was aborted (a reset, a truncated stream) while the other was being set up: what it had
            // read is gone, so the other side must not wait on it or see a clean end.
            a.abort();
            b.abort();
            return;
        }
        a.drainPending();
        b.drainPending();
        a.resumeReading();
        b.resumeReading();
    }

    /** Closes this leg's channel with RST, e.g. because the other leg could not be set up. */
    void abort() {
        if (aborted || ctx == null) {
            return;
        }
        aborted = true;
        if (ctx.channel().isActive()) {
            ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
        }
        ctx.close();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        connection.channelOpened();
        // The close future also completes for a channel that never connected, which never goes inactive.
        ctx.channel().closeFuture().addListener(closed -> connection.channelClosed());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf data)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (peer == null) {
            pending.add(data);
            return;
        }
        forward(data);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (peer != null) {
            peer.ctx.flush();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (peer != null && ctx.channel().isWritable()) {
            peer.resumeReading();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        switch (evt) {
            case TlsHandshakeEvent handshake -> handshakeCallback.accept(handshake);
            case TlsInputClosedEvent closed when closed.clean() -> inputEnded();
            case TlsInputClosedEvent truncated -> failBoth(ConnectionOutcome.TRUNCATED,
                "peer closed TCP without close_notify or END token");
            case IdleStateEvent idle -> {
                connection.fail(ConnectionOutcome.IDLE_TIMEOUT, "");
                closeBoth();
            }
            default -> {
                if (evt == ChannelInputShutdownEvent.INSTANCE) {
                    inputEnded();
                } else {
                    ctx.fireUserEventTriggered(evt);
                }
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof ConnectionFailure failure) {
            failBoth(failure.outcome(), cause.getMessage());
        } else if (cause instanceof IOException io) {
            failBoth(ConnectionOutcome.PEER_RESET, io.getMessage());
        } else {
            failBoth(ConnectionOutcome.INTERNAL_ERROR, String.valueOf(cause));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releasePending();
        if (peer != null && !(inputEnded && outputShut)) {
            // This side went away without finishing both directions: the other side must not see a clean end.
            peer.abort();
        }
        ctx.fireChannelInactive();
    }

    private void forward(ByteBuf data) {
        int bytes = data.readableBytes();
        if (upward) {
            connection.countUp(bytes);
        } else {
            connection.countDown(bytes);
        }
        peer.ctx.write(data, peer.ctx.voidPromise());
        if (!peer.ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    // Netty's epoll channel fails to re-arm reading once its input is shut, and there is nothing left to read.
    private void resumeReading() {
        if (!inputEnded && !((DuplexChannel) ctx.channel()).isInputShutdown()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void inputEnded() {
        inputEnded = true;
        if (peer == null) {
            pending.add(END_OF_INPUT);
            return;
        }
        peer.shutdownOutput();
        closeIfFinished();
    }

    private void shutdownOutput() {
        ChannelFuture shut;
        HalfClosingHandler protection = ctx.pipeline().get(HalfClosingHandler.class);
        if (protection != null) {
            shut = protection.closeOutput(ctx.pipeline().context(protection));
        } else {
            shut = WriteHalf.shutAfter(ctx, null);
        }
        shut.addListener(done -> {
            outputShut = true;
            closeIfFinished();
        });
    }

    private void closeIfFinished() {
        if (inputEnded && outputShut) {
            ctx.close();
        }
    }

    private void drainPending() {
        for (Object item = pending.poll(); item != null; item = pending.poll()) {
            if (item == END_OF_INPUT) {
                peer.shutdownOutput();
                closeIfFinished();
            } else {
                forward((ByteBuf) item);
            }
        }
        peer.ctx.flush();
    }

    private void releasePending() {
        for (Object item = pending.poll(); item != null; item = pending.poll()) {
            if (item instanceof ByteBuf data) {
                data.release();
            }
        }
    }

    private void failBoth(ConnectionOutcome outcome, String detail) {
        connection.fail(outcome, detail);
        abort();
        if (peer != null) {
            peer.abort();
        }
    }

    private void closeBoth() {
        ctx.close();
        if (peer != null) {
            peer.ctx.close();
        }
    }
}
