package dev.ice.tunnel.udp;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A UDP hop between a client tunnel and a server tunnel that stands in for the network: it can send each
 * datagram twice, as a replaying attacker would, and it can move to a new source port, as a NAT does when its
 * mapping expires.
 */
final class UdpRelay implements AutoCloseable {

    private final DatagramSocket downstream;
    private volatile InetSocketAddress target;
    private final int copies;
    private final AtomicInteger forwarded = new AtomicInteger();
    private volatile DatagramSocket upstream;
    private volatile InetSocketAddress client;

    /**
     * @param target where to forward the client's datagrams
     * @param copies how many times to send each one
     */
    UdpRelay(InetSocketAddress target, int copies) throws IOException {
        this.downstream = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.target = target;
        this.copies = copies;
        this.upstream = openUpstream();
        Thread.ofVirtual().name("relay-down").start(this::forwardUp);
    }

    /** @return where the client tunnel should send */
    InetSocketAddress address() {
        return (InetSocketAddress) downstream.getLocalSocketAddress();
    }

    /** @return the address the server sees datagrams come from now */
    InetSocketAddress upstreamAddress() {
        return (InetSocketAddress) upstream.getLocalSocketAddress();
    }

    /** @return how many of the client's datagrams it has forwarded, copies not counted */
    int forwarded() {
        return forwarded.get();
    }

    /** Sends from now on to another server, as if the server had restarted and forgotten every session. */
    void retarget(InetSocketAddress newTarget) {
        target = newTarget;
    }

    /** Moves to a new source port toward the server; the old one is closed, as a NAT forgets a mapping. */
    void rebind() throws IOException {
        DatagramSocket old = upstream;
        upstream = openUpstream();
        old.close();
    }

    @Override
    public void close() {
        downstream.close();
        upstream.close();
    }

    private DatagramSocket openUpstream() throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread.ofVirtual().name("relay-up").start(() -> forwardDown(socket));
        return socket;
    }

    private void forwardUp() {
        byte[] buffer = new byte[65536];
        try {
            while (true) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                downstream.receive(packet);
                client = (InetSocketAddress) packet.getSocketAddress();
                byte[] copy = Arrays.copyOf(buffer, packet.getLength());
                forwarded.incrementAndGet();
                for (int i = 0; i < copies; i++) {
                    upstream.send(new DatagramPacket(copy, copy.length, target));
                }
            }
        } catch (IOException closed) {
            // close() ends the loop.
        }
    }

    private void forwardDown(DatagramSocket socket) {
        byte[] buffer = new byte[65536];
        try {
            while (true) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                downstream.send(new DatagramPacket(Arrays.copyOf(buffer, packet.getLength()), packet.getLength(),
                    client));
            }
        } catch (IOException closed) {
            // rebind() or close() ends the loop.
        }
    }
}
