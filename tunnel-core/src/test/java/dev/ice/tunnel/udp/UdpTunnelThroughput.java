package dev.ice.tunnel.udp;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;

/**
 * Measures datagrams per second through a client and server UDP tunnel pair on loopback to a UDP echo, with a
 * window of datagrams in flight, for a few payload sizes. One flow, so one worker per tunnel does all the crypto.
 *
 * <p>Not a test: a program to run by hand on an otherwise idle machine, like {@link FlowInboxBenchmark}.
 */
public final class UdpTunnelThroughput {

    private static final int WINDOW = 32;
    private static final long SECONDS = 3;

    private UdpTunnelThroughput() {
    }

    /**
     * Prints round trips per second and payload throughput each way for 64, 512 and 1400-byte datagrams.
     *
     * @param args ignored
     */
    public static void main(String[] args) throws Exception {
        try (UdpEcho echo = UdpEcho.start(); UdpTunnelPair pair = new UdpTunnelPair(echo.address());
                DatagramSocket app = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            app.setSoTimeout(1000);
            for (int round = 0; round < 2; round++) {
                for (int size : new int[] {64, 512, 1400}) {
                    double perSecond = run(app, pair.client.localAddress(), size);
                    System.out.printf("%5d B: %,10.0f datagrams/s each way, %7.1f Mbit/s each way%n", size,
                        perSecond, perSecond * size * 8 / 1e6);
                }
            }
        }
    }

    private static double run(DatagramSocket app, InetSocketAddress tunnel, int size) throws IOException {
        byte[] payload = new byte[size];
        DatagramPacket reply = new DatagramPacket(new byte[2048], 2048);
        for (int i = 0; i < WINDOW; i++) {
            app.send(new DatagramPacket(payload, size, tunnel));
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        long start = System.nanoTime();
        long received = 0;
        while (System.nanoTime() < end) {
            try {
                app.receive(reply);
            } catch (SocketTimeoutException lost) {
                // A datagram was lost (a full buffer somewhere): put one back in flight.
            }
            received++;
            app.send(new DatagramPacket(payload, size, tunnel));
        }
        drain(app, reply);
        return received / ((System.nanoTime() - start) / 1e9);
    }

    private static void drain(DatagramSocket app, DatagramPacket reply) throws IOException {
        app.setSoTimeout(200);
        try {
            while (true) {
                app.receive(reply);
            }
        } catch (SocketTimeoutException drained) {
            app.setSoTimeout(1000);
        }
    }
}
