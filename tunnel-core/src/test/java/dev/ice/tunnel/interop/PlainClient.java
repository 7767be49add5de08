package dev.ice.tunnel.interop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.opentest4j.AssertionFailedError;

/** The application side of a test: a plaintext TCP connection to a tunnel or to stunnel on loopback. */
final class PlainClient implements AutoCloseable {

    private final Socket socket;

    private PlainClient(Socket socket) {
        this.socket = socket;
    }

    /** @return a connection to a loopback port */
    static PlainClient connect(int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setTcpNoDelay(true);
        return new PlainClient(socket);
    }

    /**
     * Sends a request and reads the reply, both at once so that neither side's buffers can fill and stall.
     *
     * @param request what to send
     * @param replyBytes how many bytes the reply has
     * @param deadline how long the whole exchange may take
     * @return the reply, exactly {@code replyBytes} long
     * @throws AssertionFailedError if fewer bytes come back in time, saying how many did
     */
    byte[] exchange(byte[] request, int replyBytes, Duration deadline) throws Exception {
        CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> send(request),
            command -> Thread.ofVirtual().start(command));
        byte[] reply = read(replyBytes, deadline);
        try {
            sent.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionFailedError("sending " + request.length + " bytes did not finish", e);
        }
        return reply;
    }

    /** Sends FIN: this side has finished sending but still reads. */
    void finishSending() throws IOException {
        socket.shutdownOutput();
    }

    /**
     * Waits for the other side to finish sending.
     *
     * @return whatever arrived before the end of the stream
     * @throws AssertionFailedError if the stream is still open at the deadline
     */
    byte[] readToEnd(Duration deadline) throws IOException {
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        long end = System.nanoTime() + deadline.toNanos();
        byte[] buffer = new byte[8192];
        InputStream in = socket.getInputStream();
        while (true) {
            setTimeoutUntil(end, "the end of the stream");
            int n = readOrTimeout(in, buffer, 0, buffer.length, "the end of the stream");
            if (n < 0) {
                return rest.toByteArray();
            }
            rest.write(buffer, 0, n);
        }
    }

    /**
     * Waits for the other side to reset the connection, as a tunnel does when it cannot carry the connection.
     *
     * @throws AssertionFailedError if data arrives, the stream ends cleanly, or nothing happens by the deadline
     */
    void awaitReset(Duration deadline) throws IOException {
        byte[] arrived;
        try {
            arrived = readToEnd(deadline);
        } catch (SocketException reset) {
            return;
        }
        throw new AssertionFailedError("expected a reset, but the stream ended cleanly after " + arrived.length
            + " bytes");
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private void send(byte[] request) {
        try {
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] read(int wanted, Duration deadline) throws IOException {
        long end = System.nanoTime() + deadline.toNanos();
        byte[] reply = new byte[wanted];
        InputStream in = socket.getInputStream();
        int have = 0;
        while (have < wanted) {
            String what = wanted + " bytes of reply (got " + have + ")";
            setTimeoutUntil(end, what);
            int n = readOrTimeout(in, reply, have, wanted - have, what);
            if (n < 0) {
                throw new AssertionFailedError("the stream ended after " + have + " of " + wanted + " bytes");
            }
            have += n;
        }
        return reply;
    }

    private void setTimeoutUntil(long end, String what) throws IOException {
        long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
        if (left <= 0) {
            throw new AssertionFailedError("no " + what + " in time");
        }
        socket.setSoTimeout((int) left);
    }

    private static int readOrTimeout(InputStream in, byte[] buffer, int offset, int length, String what)
            throws IOException {
        try {
            return in.read(buffer, offset, length);
        } catch (SocketTimeoutException e) {
            throw new AssertionFailedError("no " + what + " in time", e);
        }
    }
}
