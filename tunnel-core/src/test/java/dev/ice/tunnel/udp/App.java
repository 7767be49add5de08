package dev.ice.tunnel.udp;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;

/** An application's UDP socket on loopback, sending to a tunnel and reading what comes back. */
final class App implements AutoCloseable {

    /** A reply that comes back. */
    record Reply(byte[] bytes, InetSocketAddress from) {
    }

    private final DatagramSocket socket;

    App() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    /** @return the socket's own address, the flow key the tunnel sees */
    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    void send(byte[] bytes, InetSocketAddress to) throws IOException {
        socket.send(new DatagramPacket(bytes, bytes.length, to));
    }

    /** @return the next datagram, or null if none comes within the wait */
    Reply receive(Duration wait) throws IOException {
        socket.setSoTimeout((int) wait.toMillis());
        byte[] buffer = new byte[65536];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        try {
            socket.receive(packet);
        } catch (SocketTimeoutException none) {
            return null;
        }
        return new Reply(Arrays.copyOf(buffer, packet.getLength()), (InetSocketAddress) packet.getSocketAddress());
    }

    @Override
    public void close() {
        socket.close();
    }
}
