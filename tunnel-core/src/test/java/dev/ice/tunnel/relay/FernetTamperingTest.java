package dev.ice.tunnel.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ice.tunnel.ConnectionOutcome;
import dev.ice.tunnel.Endpoint;
import dev.ice.tunnel.key.PresharedKey;

/**
 * A relay between a fernet client and server edits the tokens in transit; the server must close the connection and
 * pass nothing edited to the service.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FernetTamperingTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final PresharedKey KEY = new PresharedKey("ice", TunnelPair.KEY);

    // Client-to-server frames: 0 hello, 1 READY, then the application's writes, then END.
    private static final int FIRST_DATA = 2;
    private static final int SECOND_DATA = 3;

    @Test
    void aTokenWithOneBitFlippedIsRejectedAndNeverReachesTheService() throws Exception {
        // Proves: a flipped bit in a token's ciphertext fails its HMAC; the service got the token before it and
        // then a reset, never the tampered bytes.
        FrameEditingRelay.Editor flip = (index, frame) -> index == SECOND_DATA ? List.of(flipped(frame))
            : List.of(frame);
        try (Scene scene = new Scene(flip, FrameEditingRelay.UNCHANGED)) {
            scene.exchange("first");
            scene.send("second");

            assertEquals(ConnectionOutcome.TOKEN_REJECTED, scene.serverEvents.nextClosed(WAIT));
            assertEquals("first|reset", scene.serviceSaw());
        }
    }

    @Test
    void swappedTokensAreRejectedBeforeEitherReachesTheService() throws Exception {
        // Proves: tokens delivered out of order break the sequence; the service gets neither of them.
        AtomicReference<byte[]> held = new AtomicReference<>();
        FrameEditingRelay.Editor swap = (index, frame) -> switch (index) {
            case FIRST_DATA -> {
                held.set(frame);
                yield List.of();
            }
            case SECOND_DATA -> List.of(frame, held.get());
            default -> List.of(frame);
        };
        try (Scene scene = new Scene(swap, FrameEditingRelay.UNCHANGED)) {
            scene.send("one");
            Thread.sleep(200);
            scene.send("two");

            assertEquals(ConnectionOutcome.TOKEN_REJECTED, scene.serverEvents.nextClosed(WAIT));
            assertEquals("reset", scene.serviceSaw());
        }
    }

    @Test
    void aReplayedTokenIsRejectedAndTheServiceSeesItOnce() throws Exception {
        // Proves: a token sent again later, in place of the next one, is refused the second time.
        AtomicReference<byte[]> earlier = new AtomicReference<>();
        FrameEditingRelay.Editor replay = (index, frame) -> switch (index) {
            case FIRST_DATA -> {
                earlier.set(frame);
                yield List.of(frame);
            }
            case SECOND_DATA -> List.of(earlier.get());
            default -> List.of(frame);
        };
        try (Scene scene = new Scene(replay, FrameEditingRelay.UNCHANGED)) {
            scene.exchange("once");
            scene.send("again");

            assertEquals(ConnectionOutcome.TOKEN_REJECTED, scene.serverEvents.nextClosed(WAIT));
            assertEquals("once|reset", scene.serviceSaw());
        }
    }

    @Test
    void aTokenReflectedBackAtTheServerIsRejected() throws Exception {
        // Proves: a server-to-client token sent back to the server in place of the client's does not pass, so
        // the service never receives its own reply as a request.
        AtomicReference<byte[]> reply = new AtomicReference<>();
        FrameEditingRelay.Editor keepReply = (index, frame) -> {
            if (index == 1) {
                reply.set(frame);
            }
            return List.of(frame);
        };
        FrameEditingRelay.Editor reflect = (index, frame) -> index == SECOND_DATA ? List.of(reply.get())
            : List.of(frame);
        try (Scene scene = new Scene(reflect, keepReply)) {
            scene.exchange("ping");
            scene.send("pong");

            assertEquals(ConnectionOutcome.TOKEN_REJECTED, scene.serverEvents.nextClosed(WAIT));
            assertEquals("ping|reset", scene.serviceSaw());
        }
    }

    @Test
    void aStreamCutBeforeItsEndTokenIsTruncationAndTheServiceGetsAReset() throws Exception {
        // Proves: dropping the END token and closing TCP is not taken for a clean end: the server reports
        // truncation and resets the service's connection instead of closing it cleanly.
        FrameEditingRelay.Editor dropEnd = (index, frame) -> index == SECOND_DATA + 1 ? List.of() : List.of(frame);
        try (Scene scene = new Scene(dropEnd, FrameEditingRelay.UNCHANGED)) {
            scene.exchange("first part");
            scene.send(" and the rest");
            scene.app.shutdownOutput();

            assertEquals(ConnectionOutcome.TRUNCATED, scene.serverEvents.nextClosed(WAIT));
            String seen = scene.serviceSaw();
            assertTrue(seen.startsWith("first part") && seen.endsWith("|reset"), seen);
        }
    }

    @Test
    void aStreamCutBeforeTheServiceIsReachedResetsTheServiceConnectionToo() throws Exception {
        // Proves: a truncation that arrives while the server tunnel is still connecting to the service still
        // ends with a reset there, not with a connection left open or closed cleanly.
        FrameEditingRelay.Editor dropEnd = (index, frame) -> index == SECOND_DATA ? List.of() : List.of(frame);
        try (Scene scene = new Scene(dropEnd, FrameEditingRelay.UNCHANGED)) {
            scene.send("all of it");
            scene.app.shutdownOutput();

            assertEquals(ConnectionOutcome.TRUNCATED, scene.serverEvents.nextClosed(WAIT));
            assertTrue(scene.serviceSaw().endsWith("reset"), scene.serviceSaw());
        }
    }

    @Test
    void untouchedTokensThroughTheRelayEndCleanly() throws Exception {
        // Proves: the relay itself changes nothing: without edits the service sees the data and a clean end.
        try (Scene scene = new Scene(FrameEditingRelay.UNCHANGED, FrameEditingRelay.UNCHANGED)) {
            scene.send("intact");
            scene.app.shutdownOutput();

            assertEquals("intact|end", scene.serviceSaw());
            assertEquals(ConnectionOutcome.CLOSED, scene.serverEvents.nextClosed(WAIT));
        }
    }

    private static byte[] flipped(byte[] frame) {
        byte[] copy = frame.clone();
        // Past the length (4), version (1), timestamp (8) and IV (16): the first ciphertext byte.
        copy[4 + 1 + 8 + 16] ^= 0x01;
        return copy;
    }

    /** A fernet server in front of a recording service, the relay, and a fernet client in front of it. */
    private static final class Scene implements AutoCloseable {

        final Transport transport = Transport.start(1);
        final RecordingListener serverEvents = new RecordingListener();
        final CompletableFuture<String> service = new CompletableFuture<>();
        final Backend backend = new Backend(socket -> record(socket, service));
        final Tunnel server;
        final FrameEditingRelay relay;
        final Tunnel client;
        final Socket app;

        Scene(FrameEditingRelay.Editor up, FrameEditingRelay.Editor down) throws IOException {
            server = Tunnel.start(TunnelPair.config(TunnelMode.SERVER, backend.address(), Duration.ZERO),
                FernetTunnelTest.fernet(KEY), serverEvents, transport);
            relay = new FrameEditingRelay(server.localAddress(), up, down);
            client = Tunnel.start(new TunnelConfig(TunnelMode.CLIENT, new Endpoint("127.0.0.1", 0),
                new Endpoint("127.0.0.1", relay.address().getPort()), Duration.ZERO),
                FernetTunnelTest.fernet(KEY), ConnectionListener.NONE, transport);
            app = TunnelPair.connect(client);
        }

        void send(String text) throws IOException {
            app.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        }

        void exchange(String text) throws IOException {
            send(text);
            assertEquals(text, new String(app.getInputStream().readNBytes(text.length()), StandardCharsets.UTF_8));
        }

        // Echoes what it reads and records it, then how the stream ended: "end" for a FIN, "reset" for an RST.
        private static void record(Socket socket, CompletableFuture<String> result) throws IOException {
            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[1024];
            String end = "end";
            try {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    seen.write(buffer, 0, n);
                    socket.getOutputStream().write(buffer, 0, n);
                }
            } catch (SocketException e) {
                end = "reset";
            }
            String data = seen.toString(StandardCharsets.UTF_8);
            result.complete(data.isEmpty() ? end : data + "|" + end);
        }

        String serviceSaw() throws Exception {
            return service.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() throws IOException {
            app.close();
            client.close();
            relay.close();
            server.close();
            backend.close();
            transport.close();
        }
    }
}
