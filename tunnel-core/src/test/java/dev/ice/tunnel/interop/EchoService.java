package dev.ice.tunnel.interop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A plaintext service on loopback that sends back whatever it reads, and remembers what it read so that a test
 * can check the way in separately from the way back.
 *
 * <p>When a client finishes sending, the service finishes too: a half-close comes back as a half-close.
 */
final class EchoService implements AutoCloseable {

    private final ServerSocket server;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

    private EchoService(ServerSocket server) {
        this.server = server;
    }

    /** @return a running service on a free loopback port */
    static EchoService start() throws IOException {
        EchoService echo = new EchoService(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        Thread.ofVirtual().start(echo::acceptAll);
        return echo;
    }

    /** @return the port it listens on */
    int port() {
        return server.getLocalPort();
    }

    /** @return how many connections reached it */
    int connections() {
        return accepted.size();
    }

    /** @return every byte read so far, over all connections */
    byte[] received() {
        synchronized (received) {
            return received.toByteArray();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : accepted) {
            socket.close();
        }
    }

    private void acceptAll() {
        try {
            while (true) {
                Socket socket = server.accept();
                accepted.add(socket);
                Thread.ofVirtual().start(() -> echo(socket));
            }
        } catch (IOException closed) {
            // close() ends the loop.
        }
    }

    private void echo(Socket socket) {
        byte[] buffer = new byte[16 * 1024];
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                synchronized (received) {
                    received.write(buffer, 0, n);
                }
                out.write(buffer, 0, n);
            }
            socket.shutdownOutput();
        } catch (IOException gone) {
            // The client reset or the test ended: nothing left to echo.
        }
    }
}
