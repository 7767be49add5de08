package dev.ice.tunnel.udp;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plaintext UDP service on loopback that sends every datagram back to its sender, and counts what it got and
 * from which addresses, so that a test can check what reached the far side of a tunnel.
 */
final class UdpEcho implements AutoCloseable {

    private final DatagramSocket socket;
    private final AtomicInteger received = new AtomicInteger();
    private final Set<InetSocketAddress> senders = ConcurrentHashMap.newKeySet();
    private final Thread loop;

    private UdpEcho(DatagramSocket socket) {
        this.socket = socket;
        this.loop = Thread.ofVirtual().name("udp-echo").start(this::echoAll);
    }

    /** @return a running echo on a free loopback port */
    static UdpEcho start() throws SocketException {
        return new UdpEcho(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
    }

    /** @return where it listens */
    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /** @return how many datagrams reached it */
    int received() {
        return received.get();
    }

    /** @return the distinct addresses datagrams came from: one per tunnel flow */
    Set<InetSocketAddress> senders() {
        return Set.copyOf(senders);
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        loop.join(2000);
    }

    private void echoAll() {
        byte[] buffer = new byte[65536];
        try {
            while (true) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                received.incrementAndGet();
                senders.add((InetSocketAddress) packet.getSocketAddress());
                byte[] copy = Arrays.copyOf(packet.getData(), packet.getLength());
                socket.send(new DatagramPacket(copy, copy.length, packet.getSocketAddress()));
            }
        } catch (IOException closed) {
            // close() ends the loop.
        }
    }
}
