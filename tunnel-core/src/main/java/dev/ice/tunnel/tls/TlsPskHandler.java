package dev.ice.tunnel.tls;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.bouncycastle.tls.TlsProtocol;

import dev.ice.tunnel.ConnectionOutcome;
import dev.ice.tunnel.HalfClosingHandler;
import dev.ice.tunnel.PeerStrategy;
import dev.ice.tunnel.internal.WriteHalf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * A Netty handler that speaks TLS-PSK on its channel: ciphertext below, plaintext {@link ByteBuf}s above.
 *
 * <p>It drives BouncyCastle's non-blocking protocol ({@code offerInput}/{@code readOutput}) on the channel's event
 * loop. Once the handshake ends it fires a {@link TlsHandshakeEvent}; when the peer stops sending it fires a
 * {@link TlsInputClosedEvent}; {@link #closeOutput(ChannelHandlerContext)} sends close_notify and shuts the TCP
 * write half, so either direction can end on its own. The channel must allow half-closure.
 *
 * <p>Known limits: records are copied once between Netty's buffers and BouncyCastle's queues in each direction;
 * application data written before the handshake completes is refused, not queued.
 */
public final class TlsPskHandler extends ChannelDuplexHandler implements HalfClosingHandler {

    // 64 KiB covers one epoll read; per event-loop thread, so idle connections do not each hold a buffer.
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[64 * 1024];
        }
    };

    // RFC 8446 §5.1: ContentType handshake(22) opens every ClientHello record. A server may answer the
    // ClientHello with an alert(21) record instead, as OpenSSL does when a PSK binder does not verify.
    private static final byte HANDSHAKE_RECORD = 22;
    private static final byte ALERT_RECORD = 21;

    private final TlsProtocol protocol;
    private final HalfClosingTls halfClosing;
    private final HandshakeObserver observer;
    private final Opening opening;
    private final long handshakeTimeoutMillis;

    private ScheduledFuture<?> handshakeTimer;
    private boolean started;
    private boolean handshakeReported;
    private boolean failed;
    private boolean sawInput;
    private boolean inputClosedReported;
    private boolean outputClosed;

    /** Starts BouncyCastle's side of the handshake: connect for a client, accept for a server. */
    @FunctionalInterface
    interface Opening {
        void open() throws IOException;
    }

    <P extends TlsProtocol & HalfClosingTls> TlsPskHandler(P protocol, HandshakeObserver observer, Opening opening,
            long handshakeTimeoutMillis) {
        this.protocol = protocol;
        this.halfClosing = protocol;
        this.observer = observer;
        this.opening = opening;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            begin(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        begin(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (failed || protocol.isClosed()) {
                return;
            }
            if (!sawInput && in.isReadable()) {
                sawInput = true;
                byte first = in.getByte(in.readerIndex());
                if (!opensTlsRecord(first) && !observer.isComplete()) {
                    refuseNotTls(ctx, in, first);
                    return;
                }
            }
            offer(ctx, in);
        } finally {
            in.release();
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf plain)) {
            ctx.write(msg, promise);
            return;
        }
        try {
            if (!observer.isComplete() || failed || outputClosed) {
                promise.setFailure(new IllegalStateException("TLS output is not open: handshake pending or closed"));
                return;
            }
            encrypt(plain);
            ByteBuf out = drainOutput(ctx);
            if (out == null) {
                promise.setSuccess();
            } else {
                ctx.write(out, promise);
            }
        } catch (IOException e) {
            promise.setFailure(e);
            failAfterHandshake(ctx, e);
        } finally {
            plain.release();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt != ChannelInputShutdownEvent.INSTANCE) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        // The raw TCP FIN is not passed on: what it means depends on whether close_notify came first.
        if (failed) {
            return;
        }
        if (!observer.isComplete()) {
            fail(ctx, endedBeforeHandshake(), "peer closed before the handshake finished");
        } else if (!inputClosedReported) {
            inputClosedReported = true;
            ctx.fireUserEventTriggered(new TlsInputClosedEvent(halfClosing.isInputClosed()));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelHandshakeTimer();
        if (!handshakeReported) {
            handshakeReported = true;
            failed = true;
            ctx.fireUserEventTriggered(TlsHandshakeEvent.failure(endedBeforeHandshake(), "connection closed"));
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException && endedBeforeHandshake() == ConnectionOutcome.PROBE
            && !handshakeReported) {
            fail(ctx, ConnectionOutcome.PROBE, "reset before a byte of TLS");
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    /**
     * Sends close_notify after everything written so far, then shuts the TCP write half.
     *
     * @param ctx this handler's context
     * @return completes when the write half is shut
     */
    @Override
    public ChannelFuture closeOutput(ChannelHandlerContext ctx) {
        ChannelPromise shut = ctx.newPromise();
        if (outputClosed || failed) {
            return shut.setSuccess();
        }
        outputClosed = true;
        try {
            halfClosing.closeOutput();
        } catch (IOException e) {
            return shut.setFailure(e);
        }
        return WriteHalf.shutAfter(ctx, drainOutput(ctx));
    }

    private void begin(ChannelHandlerContext ctx) {
        if (started) {
            return;
        }
        started = true;
        handshakeTimer = ctx.executor().schedule(() -> fail(ctx, ConnectionOutcome.HANDSHAKE_TIMEOUT,
            "no handshake within " + handshakeTimeoutMillis + " ms"), handshakeTimeoutMillis, TimeUnit.MILLISECONDS);
        try {
            opening.open();
            flushOutput(ctx);
        } catch (IOException e) {
            fail(ctx, observer.failureOutcome(), e.getMessage());
        }
    }

    private void offer(ChannelHandlerContext ctx, ByteBuf in) {
        byte[] scratch = SCRATCH.get();
        try {
            while (in.isReadable() && !protocol.isClosed()) {
                int length = Math.min(in.readableBytes(), scratch.length);
                in.readBytes(scratch, 0, length);
                protocol.offerInput(scratch, 0, length);
            }
        } catch (IOException e) {
            if (observer.isComplete()) {
                failAfterHandshake(ctx, e);
            } else {
                fail(ctx, observer.failureOutcome(), observer.alertDetail());
            }
            return;
        }
        flushOutput(ctx);
        if (!handshakeReported && observer.isComplete()) {
            handshakeReported = true;
            cancelHandshakeTimer();
            ctx.fireUserEventTriggered(TlsHandshakeEvent.success(observer.protocol(), observer.cipherSuite()));
        }
        deliverPlaintext(ctx);
        if (halfClosing.isInputClosed() && !inputClosedReported) {
            inputClosedReported = true;
            ctx.fireUserEventTriggered(new TlsInputClosedEvent(true));
        }
    }

    // A health check connects and closes, or resets as haproxy's do, without a byte: on a server that is a probe,
    // not worth a line at INFO. A server that does the same to a client has refused it, and the client says so.
    private ConnectionOutcome endedBeforeHandshake() {
        return sawInput || observer.isClient() ? ConnectionOutcome.HANDSHAKE_ABORTED : ConnectionOutcome.PROBE;
    }

    private void refuseNotTls(ChannelHandlerContext ctx, ByteBuf in, byte first) {
        Optional<String> other = PeerStrategy.recognise(in);
        if (other.isPresent()) {
            fail(ctx, ConnectionOutcome.OTHER_STRATEGY,
                other.get() + "; this end speaks TLS (ICE_CRYPTO_STRATEGY=ice)");
            return;
        }
        fail(ctx, ConnectionOutcome.NOT_TLS,
            String.format("first byte 0x%02x opens neither a TLS handshake nor an alert record", first));
    }

    private static boolean opensTlsRecord(byte first) {
        return first == HANDSHAKE_RECORD || first == ALERT_RECORD;
    }

    private void encrypt(ByteBuf plain) throws IOException {
        if (plain.hasArray()) {
            protocol.writeApplicationData(plain.array(), plain.arrayOffset() + plain.readerIndex(),
                plain.readableBytes());
            return;
        }
        byte[] scratch = SCRATCH.get();
        while (plain.isReadable()) {
            int length = Math.min(plain.readableBytes(), scratch.length);
            plain.readBytes(scratch, 0, length);
            protocol.writeApplicationData(scratch, 0, length);
        }
    }

    private void deliverPlaintext(ChannelHandlerContext ctx) {
        int available = protocol.getAvailableInputBytes();
        if (available == 0) {
            return;
        }
        ByteBuf plain = ctx.alloc().directBuffer(available);
        ByteBuffer target = plain.nioBuffer(0, available);
        protocol.readInput(target, available);
        plain.writerIndex(available);
        ctx.fireChannelRead(plain);
        ctx.fireChannelReadComplete();
    }

    private ByteBuf drainOutput(ChannelHandlerContext ctx) {
        int available = protocol.getAvailableOutputBytes();
        if (available == 0) {
            return null;
        }
        ByteBuf out = ctx.alloc().directBuffer(available);
        protocol.readOutput(out.nioBuffer(0, available), available);
        out.writerIndex(available);
        return out;
    }

    private void flushOutput(ChannelHandlerContext ctx) {
        ByteBuf out = drainOutput(ctx);
        if (out != null) {
            ctx.writeAndFlush(out).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
        }
    }

    private void fail(ChannelHandlerContext ctx, ConnectionOutcome outcome, String detail) {
        if (failed) {
            return;
        }
        failed = true;
        cancelHandshakeTimer();
        if (!handshakeReported) {
            handshakeReported = true;
            ctx.fireUserEventTriggered(TlsHandshakeEvent.failure(outcome, detail));
        }
        // Send whatever alert BouncyCastle queued, then close.
        ByteBuf alert = drainOutput(ctx);
        ctx.writeAndFlush(alert == null ? Unpooled.EMPTY_BUFFER : alert).addListener(ChannelFutureListener.CLOSE);
    }

    private void failAfterHandshake(ChannelHandlerContext ctx, IOException cause) {
        if (failed) {
            return;
        }
        failed = true;
        ByteBuf alert = drainOutput(ctx);
        if (alert != null) {
            ctx.writeAndFlush(alert);
        }
        ctx.fireExceptionCaught(new TlsFailureException(ConnectionOutcome.TLS_ERROR,
            "TLS failed after the handshake: " + observer.alertDetail(), cause));
    }

    private void cancelHandshakeTimer() {
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
            handshakeTimer = null;
        }
    }
}
