package dev.ice.tunnel.relay;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A stand-in for haproxy with {@code send-proxy} on loopback: each accepted connection is relayed to the target,
 * which first receives the given PROXY header.
 */
final class HeaderBalancer implements AutoCloseable {

    private final ServerSocket listener;

    HeaderBalancer(InetSocketAddress target, byte[] header) throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("balancer").start(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket client = listener.accept();
                    Thread.ofVirtual().start(() -> relay(client, target, header));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }

    private static void relay(Socket client, InetSocketAddress target, byte[] header) {
        try (client; Socket server = new Socket(target.getAddress(), target.getPort())) {
            server.getOutputStream().write(header);
            Thread back = Thread.ofVirtual().start(() -> copy(server, client));
            copy(client, server);
            back.join();
        } catch (IOException | InterruptedException e) {
            // The test asserts on what its client and service saw.
        }
    }

    // One direction, ending with a half-close so that the other direction keeps flowing.
    private static void copy(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
            to.shutdownOutput();
        } catch (IOException e) {
            // One side reset or went away: drop both, as haproxy does.
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Already gone.
        }
    }
}
