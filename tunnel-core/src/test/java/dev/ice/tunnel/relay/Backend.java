package dev.ice.tunnel.relay;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** A plaintext TCP service on loopback for tests: each accepted socket is handed to the given behaviour. */
final class Backend implements AutoCloseable {

    /** What the backend does with one accepted connection. */
    @FunctionalInterface
    interface Behaviour {
        void serve(Socket socket) throws Exception;
    }

    private final ServerSocket listener;

    Backend(Behaviour behaviour) throws IOException {
        listener = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("backend").start(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket socket = listener.accept();
                    Thread.ofVirtual().start(() -> {
                        try (socket) {
                            behaviour.serve(socket);
                        } catch (Exception e) {
                            // The test that cares asserts on what its client saw.
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    /** A backend that echoes every byte until the client closes its write half, then closes its own. */
    static Backend echo() throws IOException {
        return new Backend(socket -> {
            socket.getInputStream().transferTo(socket.getOutputStream());
            socket.shutdownOutput();
        });
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
