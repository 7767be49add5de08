package dev.ice.tunnel.fernet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.ice.tunnel.ConnectionOutcome;
import dev.ice.tunnel.key.KeyRing;
import dev.ice.tunnel.key.PresharedKey;
import dev.ice.tunnel.tls.TlsHandshakeEvent;
import dev.ice.tunnel.tls.TlsInputClosedEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;

/**
 * A fernet server handler in memory, with the test playing the client token by token, so that each rule of the
 * wire format is checked on its own.
 */
class FernetHandlerTest {

    private static final PresharedKey KEY = new PresharedKey("ice", "0123456789abcdef0123456789abcdef".getBytes());
    private static final long TIMEOUT_MILLIS = 5_000;

    private final SecureRandom random = new SecureRandom();
    private final Events events = new Events();
    private final EmbeddedChannel server = new EmbeddedChannel(
        new FernetHandler(false, KeyRing.of(KEY), random, TIMEOUT_MILLIS), events);

    private byte[] clientNonce;
    private TokenSealer up;
    private TokenOpener down;

    @Test
    void aClientThatFollowsTheFormatOpensAndItsDataAndEndGoUp() {
        // Proves: hello, READY, DATA and END in order open the stream, pass the data up unchanged, and report a
        // clean end of input.
        handshake();
        send(up.seal(RecordType.DATA, bytes("payload"), 0, 7));
        send(up.seal(RecordType.END));

        assertEquals("payload", events.text());
        assertEquals(List.of(new TlsInputClosedEvent(true)), events.closed);
    }

    @Test
    void whatTheServerWritesComesOutAsTokensTheClientOpensInOrder() throws Exception {
        // Proves: the server side seals its writes under its own direction's key, numbered from 0.
        handshake();
        server.writeOutbound(Unpooled.wrappedBuffer(bytes("reply one")));
        server.writeOutbound(Unpooled.wrappedBuffer(bytes("reply two")));

        assertEquals("reply one", new String(down.open(readFrame()).payload(), StandardCharsets.UTF_8));
        assertEquals("reply two", new String(down.open(readFrame()).payload(), StandardCharsets.UTF_8));
    }

    @Test
    void bytesAfterTheEndTokenAreRejected() {
        // Proves: nothing may follow END: a token appended after it closes the connection as rejected.
        handshake();
        send(up.seal(RecordType.END));
        send(up.seal(RecordType.DATA, bytes("late"), 0, 4));

        assertRejected("after the end-of-stream token");
        assertEquals("", events.text());
    }

    @Test
    void aFrameAnnouncingAnOversizedTokenIsRejectedBeforeItIsBuffered() {
        // Proves: a length beyond the largest token ends the connection at once, without waiting for or holding
        // the bytes it announces.
        handshake();
        server.writeInbound(Unpooled.buffer().writeInt(FernetWire.MAX_TOKEN_BYTES + 1));

        assertRejected("frame announces a token of " + (FernetWire.MAX_TOKEN_BYTES + 1) + " bytes");
    }

    @Test
    void aReadyTokenFromAnotherConnectionIsRefusedBeforeTheStreamOpens() {
        // Proves: a replayed client hello gets a fresh server nonce, so a READY sealed for an earlier connection
        // does not verify and no backend would be opened.
        sendHello();
        readServerHello();
        TokenSealer stale = new TokenSealer(FernetKeys.session(KEY, clientNonce, new byte[16],
            Direction.CLIENT_TO_SERVER), Direction.CLIENT_TO_SERVER, random);
        send(stale.seal(RecordType.READY));

        assertEquals(ConnectionOutcome.TOKEN_REJECTED, events.handshakes.getFirst().outcome());
        assertFalse(server.isOpen());
    }

    @Test
    void noHandshakeWithinTheTimeoutClosesTheConnection() {
        // Proves: a peer that connects and says nothing is dropped after the handshake timeout.
        server.advanceTimeBy(TIMEOUT_MILLIS + 1, TimeUnit.MILLISECONDS);
        server.runScheduledPendingTasks();

        assertEquals(ConnectionOutcome.HANDSHAKE_TIMEOUT, events.handshakes.getFirst().outcome());
        assertFalse(server.isOpen());
    }

    private void handshake() {
        sendHello();
        byte[] serverNonce = readServerHello();
        up = new TokenSealer(FernetKeys.session(KEY, clientNonce, serverNonce, Direction.CLIENT_TO_SERVER),
            Direction.CLIENT_TO_SERVER, random);
        down = new TokenOpener(FernetKeys.session(KEY, clientNonce, serverNonce, Direction.SERVER_TO_CLIENT),
            Direction.SERVER_TO_CLIENT, "session key");
        send(up.seal(RecordType.READY));
        assertTrue(events.handshakes.getFirst().isSuccess(), events.handshakes.toString());
    }

    private void sendHello() {
        clientNonce = new byte[FernetWire.NONCE_BYTES];
        random.nextBytes(clientNonce);
        TokenSealer hello = new TokenSealer(FernetKeys.hello(KEY), Direction.CLIENT_TO_SERVER, random);
        byte[] token = hello.seal(RecordType.HELLO, clientNonce, 0, clientNonce.length);
        server.writeInbound(Unpooled.buffer().writeBytes(FernetWire.PREAMBLE).writeByte(3).writeBytes(bytes("ice"))
            .writeInt(token.length).writeBytes(token));
    }

    private byte[] readServerHello() {
        ByteBuf preamble = server.readOutbound();
        byte[] opening = new byte[FernetWire.PREAMBLE.length];
        preamble.readBytes(opening);
        assertArrayEquals(FernetWire.PREAMBLE, opening);
        byte[] token = new byte[preamble.readInt()];
        preamble.readBytes(token);
        preamble.release();
        try {
            Record hello = new TokenOpener(FernetKeys.hello(KEY), Direction.SERVER_TO_CLIENT, "hello key").open(token);
            assertArrayEquals(clientNonce, Arrays.copyOf(hello.payload(), FernetWire.NONCE_BYTES));
            return Arrays.copyOfRange(hello.payload(), FernetWire.NONCE_BYTES, 2 * FernetWire.NONCE_BYTES);
        } catch (TokenRejectedException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private byte[] readFrame() {
        ByteBuf frame = server.readOutbound();
        byte[] token = new byte[frame.readInt()];
        frame.readBytes(token);
        frame.release();
        return token;
    }

    private void send(byte[] token) {
        server.writeInbound(Unpooled.buffer().writeInt(token.length).writeBytes(token));
    }

    private void assertRejected(String detail) {
        Throwable failure = events.failures.getFirst();
        FernetFailureException fernet = assertInstanceOf(FernetFailureException.class, failure);
        assertEquals(ConnectionOutcome.TOKEN_REJECTED, fernet.outcome());
        assertTrue(fernet.getMessage().contains(detail), fernet.getMessage());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** What the handler passes up: plaintext, its handshake and input-closed events, and failures. */
    private static final class Events extends ChannelInboundHandlerAdapter {

        final List<TlsHandshakeEvent> handshakes = new ArrayList<>();
        final List<TlsInputClosedEvent> closed = new ArrayList<>();
        final List<Throwable> failures = new ArrayList<>();
        private final StringBuilder data = new StringBuilder();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            data.append(buf.toString(StandardCharsets.UTF_8));
            buf.release();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof TlsHandshakeEvent handshake) {
                handshakes.add(handshake);
            } else if (evt instanceof TlsInputClosedEvent inputClosed) {
                closed.add(inputClosed);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failures.add(cause);
        }

        String text() {
            return data.toString();
        }
    }
}
