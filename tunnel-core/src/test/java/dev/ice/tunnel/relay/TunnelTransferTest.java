package dev.ice.tunnel.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ice.tunnel.ConnectionOutcome;

/** Bulk data and half-closed streams cross a client and server tunnel pair intact. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TunnelTransferTest {

    private static final long BULK = 256L * 1024 * 1024;

    @Test
    void twoHundredFiftySixMebibytesGoUpIntact() throws Exception {
        // Proves: 256 MiB written by the application reaches the service byte for byte (SHA-256 compared).
        try (Backend sink = new Backend(TunnelTransferTest::hashAndReply);
             TunnelPair pair = new TunnelPair(sink.address());
             Socket app = pair.connectClient()) {
            byte[] sent = writeRandom(app.getOutputStream(), BULK, 1);
            app.shutdownOutput();

            byte[] received = new DataInputStream(app.getInputStream()).readNBytes(32);

            assertArrayEquals(sent, received);
            assertEquals(-1, app.getInputStream().read());
            assertEquals(ConnectionOutcome.CLOSED, pair.serverEvents.nextClosed(Duration.ofSeconds(10)));
        }
    }

    @Test
    void twoHundredFiftySixMebibytesComeDownIntact() throws Exception {
        // Proves: 256 MiB sent by the service reaches the application byte for byte, with nothing lost at the end.
        CompletableFuture<byte[]> sentDigest = new CompletableFuture<>();
        try (Backend source = new Backend(socket -> {
                sentDigest.complete(writeRandom(socket.getOutputStream(), BULK, 2));
                socket.shutdownOutput();
                socket.getInputStream().readAllBytes();
            });
             TunnelPair pair = new TunnelPair(source.address());
             Socket app = pair.connectClient()) {
            app.shutdownOutput();

            MessageDigest digest = sha256();
            long total = readAll(app.getInputStream(), digest);

            assertEquals(BULK, total);
            assertArrayEquals(sentDigest.get(10, TimeUnit.SECONDS), digest.digest());
            assertEquals(ConnectionOutcome.CLOSED, pair.clientEvents.nextClosed(Duration.ofSeconds(10)));
        }
    }

    @Test
    void replyAfterTheClientShutsItsWriteHalfArrivesWhole() throws Exception {
        // Proves: half-close. The client's EOF reaches the service, whose 1 MiB reply 2 s later still arrives.
        int replyBytes = 1024 * 1024;
        try (Backend slow = new Backend(socket -> {
                byte[] request = socket.getInputStream().readAllBytes();
                Thread.sleep(2_000);
                OutputStream out = socket.getOutputStream();
                out.write(request);
                writeRandom(out, replyBytes - request.length, 3);
                socket.shutdownOutput();
            });
             TunnelPair pair = new TunnelPair(slow.address());
             Socket app = pair.connectClient()) {
            app.getOutputStream().write("GET /report\n".getBytes());
            app.shutdownOutput();

            byte[] reply = app.getInputStream().readAllBytes();

            assertEquals(replyBytes, reply.length);
            assertEquals("GET /report\n", new String(reply, 0, 12));
            assertEquals(ConnectionOutcome.CLOSED, pair.serverEvents.nextClosed(Duration.ofSeconds(10)));
        }
    }

    @Test
    void serviceThatShutsItsWriteHalfFirstStillReceivesTheRest() throws Exception {
        // Proves: half-close the other way. The service ends its output first and keeps reading the client's data.
        CompletableFuture<byte[]> receivedByService = new CompletableFuture<>();
        try (Backend greeter = new Backend(socket -> {
                socket.getOutputStream().write("hello\n".getBytes());
                socket.shutdownOutput();
                receivedByService.complete(socket.getInputStream().readAllBytes());
            });
             TunnelPair pair = new TunnelPair(greeter.address());
             Socket app = pair.connectClient()) {
            assertEquals("hello\n", new String(app.getInputStream().readAllBytes()));

            app.getOutputStream().write("still here\n".getBytes());
            app.shutdownOutput();

            assertEquals("still here\n", new String(receivedByService.get(10, TimeUnit.SECONDS)));
        }
    }

    private static void hashAndReply(Socket socket) throws IOException {
        MessageDigest digest = sha256();
        readAll(socket.getInputStream(), digest);
        socket.getOutputStream().write(digest.digest());
        socket.shutdownOutput();
    }

    /** Writes {@code length} pseudo-random bytes and returns their SHA-256. */
    static byte[] writeRandom(OutputStream out, long length, long seed) throws IOException {
        MessageDigest digest = sha256();
        SplittableRandom random = new SplittableRandom(seed);
        byte[] block = new byte[64 * 1024];
        for (long left = length; left > 0; left -= block.length) {
            for (int i = 0; i < block.length; i += 8) {
                long value = random.nextLong();
                for (int j = 0; j < 8; j++) {
                    block[i + j] = (byte) (value >>> (8 * j));
                }
            }
            int n = (int) Math.min(block.length, left);
            digest.update(block, 0, n);
            out.write(block, 0, n);
        }
        out.flush();
        return digest.digest();
    }

    static long readAll(InputStream in, MessageDigest digest) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            digest.update(buffer, 0, n);
            total += n;
        }
        return total;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
