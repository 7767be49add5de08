package dev.ice.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * The demo's stand-in for the network between two tunnels: a TCP forwarder on loopback that keeps a copy of the
 * first bytes each way, so the demo can show what an eavesdropper would see.
 */
final class WireTap implements AutoCloseable {

    private static final int KEEP_BYTES = 64 * 1024;

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final ByteArrayOutputStream up = new ByteArrayOutputStream();
    private final ByteArrayOutputStream down = new ByteArrayOutputStream();

    WireTap(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("wire-tap").start(this::acceptLoop);
    }

    /** @return the port the tap listens on */
    int port() {
        return listener.getLocalPort();
    }

    /** @return what went toward the target so far */
    synchronized byte[] upstream() {
        return up.toByteArray();
    }

    /** @return what came back so far */
    synchronized byte[] downstream() {
        return down.toByteArray();
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket from = listener.accept();
                Socket to = new Socket(target.getAddress(), target.getPort());
                Thread.ofVirtual().start(() -> pump(from, to, up));
                Thread.ofVirtual().start(() -> pump(to, from, down));
            } catch (IOException e) {
                return;
            }
        }
    }

    // Ends one direction only: closing a socket's stream would close the whole socket and cut the other direction.
    private void pump(Socket from, Socket to, ByteArrayOutputStream copy) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                record(copy, buffer, n);
                out.write(buffer, 0, n);
            }
            to.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(to);
            closeQuietly(from);
        }
    }

    private synchronized void record(ByteArrayOutputStream copy, byte[] buffer, int n) {
        copy.write(buffer, 0, Math.min(n, KEEP_BYTES - copy.size()));
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Already closing: nothing more to do.
        }
    }
}
