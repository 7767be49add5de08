package dev.ice.tunnel.fernet;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import dev.ice.tunnel.ConnectionOutcome;
import dev.ice.tunnel.HalfClosingHandler;
import dev.ice.tunnel.PeerStrategy;
import dev.ice.tunnel.key.KeyRing;
import dev.ice.tunnel.key.PresharedKey;
import dev.ice.tunnel.tls.TlsHandshakeEvent;
import dev.ice.tunnel.tls.TlsInputClosedEvent;
import dev.ice.tunnel.internal.WriteHalf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * A Netty handler that carries its channel's stream as Fernet tokens: tokens below, plaintext {@link ByteBuf}s
 * above. It is the fernet strategy's counterpart of {@link dev.ice.tunnel.tls.TlsPskHandler} and raises the same
 * events, so the relay's half-close, reset and backpressure logic is shared.
 *
 * <p>The handshake (see {@link FernetWire}) proves that both sides hold the key and makes session keys for this
 * connection alone. Every token after it is checked before any of its bytes go up: a token that does not verify,
 * is labelled for the other direction, or breaks the sequence closes the connection with
 * {@link ConnectionOutcome#TOKEN_REJECTED}. The END token is the clean end of a direction; a TCP FIN without it is
 * reported as truncation.
 */
public final class FernetHandler extends ChannelDuplexHandler implements HalfClosingHandler {

    /** The protocol name in connection logs. */
    public static final String PROTOCOL = "fernet";

    /** The algorithms in connection logs. */
    public static final String SUITE = "AES_128_CBC_HMAC_SHA256";

    private enum Stage { PREAMBLE, IDENTITY, HELLO, READY, OPEN, ENDED }

    private final boolean client;
    private final KeyRing keys;
    private final SecureRandom random;
    private final long handshakeTimeoutMillis;

    private ByteBuf inbound;
    private Stage stage = Stage.PREAMBLE;
    private PresharedKey psk;
    private byte[] clientNonce;
    private TokenSealer sealer;
    private TokenOpener opener;
    private ScheduledFuture<?> handshakeTimer;
    private boolean started;
    private boolean handshakeReported;
    private boolean failed;
    private boolean sawInput;
    private boolean inputClosedReported;
    private boolean outputClosed;

    FernetHandler(boolean client, KeyRing keys, SecureRandom random, long handshakeTimeoutMillis) {
        this.client = client;
        this.keys = keys;
        this.random = random;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        inbound = ctx.alloc().buffer();
        if (ctx.channel().isActive()) {
            begin(ctx);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        inbound.release();
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
            if (failed) {
                return;
            }
            sawInput |= in.isReadable();
            inbound.writeBytes(in);
        } finally {
            in.release();
        }
        boolean delivered = readAll(ctx);
        inbound.discardSomeReadBytes();
        if (delivered) {
            ctx.fireChannelReadComplete();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // Fired from channelRead once plaintext has gone up; a read that only completed a handshake step is not
        // passed on.
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf plain)) {
            ctx.write(msg, promise);
            return;
        }
        try {
            if (stage.compareTo(Stage.OPEN) < 0 || failed || outputClosed) {
                promise.setFailure(new IllegalStateException("fernet output is not open: handshake pending or "
                    + "closed"));
                return;
            }
            ctx.write(sealData(ctx, plain), promise);
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
        // The raw TCP FIN is not passed on: what it means depends on whether an END token came first.
        if (failed || inputClosedReported) {
            return;
        }
        if (stage.compareTo(Stage.OPEN) < 0) {
            fail(ctx, sawInput ? ConnectionOutcome.HANDSHAKE_ABORTED : ConnectionOutcome.PROBE,
                "peer closed before the handshake finished");
        } else {
            inputClosedReported = true;
            ctx.fireUserEventTriggered(new TlsInputClosedEvent(false));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelHandshakeTimer();
        if (!handshakeReported) {
            handshakeReported = true;
            failed = true;
            ctx.fireUserEventTriggered(new TlsHandshakeEvent(
                sawInput ? ConnectionOutcome.HANDSHAKE_ABORTED : ConnectionOutcome.PROBE, "", "",
                "connection closed"));
        }
        ctx.fireChannelInactive();
    }

    /**
     * Sends the END token after everything written so far, then shuts the TCP write half.
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
        return WriteHalf.shutAfter(ctx, frame(ctx, sealer.seal(RecordType.END)));
    }

    private void begin(ChannelHandlerContext ctx) {
        if (started) {
            return;
        }
        started = true;
        handshakeTimer = ctx.executor().schedule(() -> fail(ctx, ConnectionOutcome.HANDSHAKE_TIMEOUT,
            "no handshake within " + handshakeTimeoutMillis + " ms"), handshakeTimeoutMillis, TimeUnit.MILLISECONDS);
        if (client) {
            sendClientHello(ctx);
        }
    }

    private void sendClientHello(ChannelHandlerContext ctx) {
        psk = keys.offered();
        clientNonce = nonce();
        byte[] identity = psk.identityBytes();
        TokenSealer hello = new TokenSealer(FernetKeys.hello(psk), Direction.CLIENT_TO_SERVER, random);
        ByteBuf out = ctx.alloc().buffer();
        out.writeBytes(FernetWire.PREAMBLE).writeByte(identity.length).writeBytes(identity);
        writeFrame(out, hello.seal(RecordType.HELLO, clientNonce, 0, clientNonce.length));
        ctx.writeAndFlush(out).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
    }

    // Returns whether any plaintext went up.
    private boolean readAll(ChannelHandlerContext ctx) {
        boolean delivered = false;
        try {
            while (!failed && readOne(ctx)) {
                delivered |= stage.compareTo(Stage.OPEN) >= 0;
            }
        } catch (TokenRejectedException e) {
            reject(ctx, e.getMessage());
        }
        return delivered;
    }

    private boolean readOne(ChannelHandlerContext ctx) throws TokenRejectedException {
        return switch (stage) {
            case PREAMBLE -> readPreamble(ctx);
            case IDENTITY -> readIdentity(ctx);
            case HELLO, READY, OPEN -> readFrame(ctx);
            case ENDED -> afterEnd(ctx);
        };
    }

    private boolean readPreamble(ChannelHandlerContext ctx) {
        if (!PeerStrategy.opensFernet(inbound)) {
            refuseStranger(ctx);
            return false;
        }
        if (inbound.readableBytes() < FernetWire.PREAMBLE.length) {
            return false;
        }
        inbound.skipBytes(FernetWire.PREAMBLE.length);
        stage = client ? Stage.HELLO : Stage.IDENTITY;
        return true;
    }

    private void refuseStranger(ChannelHandlerContext ctx) {
        Optional<String> other = PeerStrategy.recognise(inbound);
        if (other.isPresent()) {
            fail(ctx, ConnectionOutcome.OTHER_STRATEGY, other.get() + "; this end speaks fernet "
                + "(ICE_CRYPTO_STRATEGY=fernet)");
        } else {
            fail(ctx, ConnectionOutcome.NOT_FERNET, String.format("first byte 0x%02x does not open a fernet stream",
                inbound.getByte(inbound.readerIndex())));
        }
    }

    private boolean readIdentity(ChannelHandlerContext ctx) {
        if (!inbound.isReadable()) {
            return false;
        }
        int length = inbound.getUnsignedByte(inbound.readerIndex());
        if (inbound.readableBytes() < 1 + length) {
            return false;
        }
        byte[] identity = new byte[length];
        inbound.skipBytes(1).readBytes(identity);
        Optional<PresharedKey> held = keys.find(identity);
        if (held.isEmpty()) {
            refuse(ctx, FernetWire.REFUSED_UNKNOWN_IDENTITY, ConnectionOutcome.UNKNOWN_IDENTITY,
                "the client offered identity '" + printable(identity) + "', which this server does not hold");
            return false;
        }
        psk = held.get();
        stage = Stage.HELLO;
        return true;
    }

    private boolean readFrame(ChannelHandlerContext ctx) throws TokenRejectedException {
        if (inbound.readableBytes() < FernetWire.LENGTH_BYTES) {
            return false;
        }
        int length = inbound.getInt(inbound.readerIndex());
        if (length == 0) {
            return readRefusal(ctx);
        }
        if (length < FernetWire.MIN_TOKEN_BYTES || length > FernetWire.MAX_TOKEN_BYTES) {
            throw new TokenRejectedException("frame announces a token of " + length + " bytes; tokens are "
                + FernetWire.MIN_TOKEN_BYTES + "-" + FernetWire.MAX_TOKEN_BYTES + " bytes");
        }
        if (inbound.readableBytes() < FernetWire.LENGTH_BYTES + length) {
            return false;
        }
        byte[] token = new byte[length];
        inbound.skipBytes(FernetWire.LENGTH_BYTES).readBytes(token);
        onToken(ctx, token);
        return true;
    }

    private void onToken(ChannelHandlerContext ctx, byte[] token) throws TokenRejectedException {
        switch (stage) {
            case HELLO -> {
                if (client) {
                    onServerHello(ctx, token);
                } else {
                    onClientHello(ctx, token);
                }
            }
            case READY -> onClientReady(ctx, token);
            default -> onSessionToken(ctx, token);
        }
    }

    private void onClientHello(ChannelHandlerContext ctx, byte[] token) {
        Record hello;
        try {
            hello = expect(RecordType.HELLO, new TokenOpener(FernetKeys.hello(psk), Direction.CLIENT_TO_SERVER,
                "hello key").open(token), FernetWire.NONCE_BYTES);
        } catch (TokenRejectedException e) {
            refuse(ctx, FernetWire.REFUSED_WRONG_KEY, ConnectionOutcome.BAD_KEY, "the client's hello under "
                + "identity '" + psk.identity() + "' does not verify: it holds another key");
            return;
        }
        clientNonce = hello.payload();
        byte[] serverNonce = nonce();
        byte[] both = concat(clientNonce, serverNonce);
        TokenSealer answer = new TokenSealer(FernetKeys.hello(psk), Direction.SERVER_TO_CLIENT, random);
        ByteBuf out = ctx.alloc().buffer().writeBytes(FernetWire.PREAMBLE);
        writeFrame(out, answer.seal(RecordType.HELLO, both, 0, both.length));
        ctx.writeAndFlush(out).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
        startSession(serverNonce);
        stage = Stage.READY;
    }

    private void onServerHello(ChannelHandlerContext ctx, byte[] token) throws TokenRejectedException {
        Record hello = expect(RecordType.HELLO, new TokenOpener(FernetKeys.hello(psk), Direction.SERVER_TO_CLIENT,
            "hello key").open(token), 2 * FernetWire.NONCE_BYTES);
        byte[] echoed = Arrays.copyOfRange(hello.payload(), 0, FernetWire.NONCE_BYTES);
        if (!Arrays.equals(echoed, clientNonce)) {
            throw new TokenRejectedException("the server's hello answers another connection: replayed");
        }
        startSession(Arrays.copyOfRange(hello.payload(), FernetWire.NONCE_BYTES, 2 * FernetWire.NONCE_BYTES));
        ctx.writeAndFlush(frame(ctx, sealer.seal(RecordType.READY)))
            .addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
        open(ctx);
    }

    private void onClientReady(ChannelHandlerContext ctx, byte[] token) throws TokenRejectedException {
        expect(RecordType.READY, opener.open(token), 0);
        open(ctx);
    }

    private void onSessionToken(ChannelHandlerContext ctx, byte[] token) throws TokenRejectedException {
        Record record = opener.open(token);
        switch (record.type()) {
            case DATA -> ctx.fireChannelRead(Unpooled.wrappedBuffer(record.payload()));
            case END -> {
                stage = Stage.ENDED;
                inputClosedReported = true;
                ctx.fireUserEventTriggered(new TlsInputClosedEvent(true));
            }
            default -> throw new TokenRejectedException("a " + record.type() + " token arrived after the "
                + "handshake");
        }
    }

    private boolean afterEnd(ChannelHandlerContext ctx) throws TokenRejectedException {
        if (!inbound.isReadable()) {
            return false;
        }
        throw new TokenRejectedException(inbound.readableBytes() + " bytes arrived after the end-of-stream token");
    }

    private boolean readRefusal(ChannelHandlerContext ctx) throws TokenRejectedException {
        if (!client || stage != Stage.HELLO) {
            throw new TokenRejectedException("an empty frame arrived where a token was expected");
        }
        if (inbound.readableBytes() < FernetWire.LENGTH_BYTES + 1) {
            return false;
        }
        byte reason = inbound.getByte(inbound.readerIndex() + FernetWire.LENGTH_BYTES);
        fail(ctx, ConnectionOutcome.KEY_REJECTED_BY_PEER, reason == FernetWire.REFUSED_UNKNOWN_IDENTITY
            ? "the server does not hold identity '" + psk.identity() + "'"
            : "the server holds another key for identity '" + psk.identity() + "'");
        return false;
    }

    private static Record expect(RecordType type, Record record, int payloadBytes) throws TokenRejectedException {
        if (record.type() != type || record.payload().length != payloadBytes) {
            throw new TokenRejectedException("expected a " + type + " token of " + payloadBytes + " bytes, got a "
                + record.type() + " token of " + record.payload().length);
        }
        return record;
    }

    private void startSession(byte[] serverNonce) {
        Direction out = client ? Direction.CLIENT_TO_SERVER : Direction.SERVER_TO_CLIENT;
        Direction in = client ? Direction.SERVER_TO_CLIENT : Direction.CLIENT_TO_SERVER;
        sealer = new TokenSealer(FernetKeys.session(psk, clientNonce, serverNonce, out), out, random);
        opener = new TokenOpener(FernetKeys.session(psk, clientNonce, serverNonce, in), in, "session key");
    }

    private void open(ChannelHandlerContext ctx) {
        stage = Stage.OPEN;
        handshakeReported = true;
        cancelHandshakeTimer();
        ctx.fireUserEventTriggered(new TlsHandshakeEvent(ConnectionOutcome.CLOSED, PROTOCOL, SUITE, ""));
    }

    private ByteBuf sealData(ChannelHandlerContext ctx, ByteBuf plain) {
        byte[] bytes = new byte[plain.readableBytes()];
        plain.readBytes(bytes);
        ByteBuf out = ctx.alloc().buffer(FernetWire.LENGTH_BYTES + FernetWire.tokenBytes(bytes.length + 16));
        for (int offset = 0; offset < bytes.length; offset += FernetWire.MAX_PAYLOAD) {
            int length = Math.min(FernetWire.MAX_PAYLOAD, bytes.length - offset);
            writeFrame(out, sealer.seal(RecordType.DATA, bytes, offset, length));
        }
        return out;
    }

    private static ByteBuf frame(ChannelHandlerContext ctx, byte[] token) {
        ByteBuf out = ctx.alloc().buffer(FernetWire.LENGTH_BYTES + token.length);
        writeFrame(out, token);
        return out;
    }

    private static void writeFrame(ByteBuf out, byte[] token) {
        out.writeInt(token.length).writeBytes(token);
    }

    private void refuse(ChannelHandlerContext ctx, byte reason, ConnectionOutcome outcome, String detail) {
        ByteBuf refusal = ctx.alloc().buffer(FernetWire.PREAMBLE.length + FernetWire.LENGTH_BYTES + 1)
            .writeBytes(FernetWire.PREAMBLE).writeInt(0).writeByte(reason);
        ctx.write(refusal);
        fail(ctx, outcome, detail);
    }

    private void reject(ChannelHandlerContext ctx, String detail) {
        if (stage.compareTo(Stage.OPEN) < 0) {
            // A server still reading the client's hello met garbage; past it, a bad token is a rejected token.
            boolean garbage = !client && stage.compareTo(Stage.READY) < 0;
            fail(ctx, garbage ? ConnectionOutcome.NOT_FERNET : ConnectionOutcome.TOKEN_REJECTED, detail);
            return;
        }
        failed = true;
        ctx.fireExceptionCaught(new FernetFailureException(ConnectionOutcome.TOKEN_REJECTED, detail));
    }

    private void fail(ChannelHandlerContext ctx, ConnectionOutcome outcome, String detail) {
        if (failed) {
            return;
        }
        failed = true;
        cancelHandshakeTimer();
        if (!handshakeReported) {
            handshakeReported = true;
            ctx.fireUserEventTriggered(new TlsHandshakeEvent(outcome, "", "", detail));
        }
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    private void cancelHandshakeTimer() {
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
            handshakeTimer = null;
        }
    }

    private byte[] nonce() {
        byte[] nonce = new byte[FernetWire.NONCE_BYTES];
        random.nextBytes(nonce);
        return nonce;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    // Identities come from the peer: keep the log line to printable ASCII.
    private static String printable(byte[] identity) {
        String text = new String(identity, StandardCharsets.UTF_8);
        return text.codePoints().map(c -> c >= 0x20 && c < 0x7f ? c : '?')
            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }
}
