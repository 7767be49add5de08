package dev.ice.tunnel.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Datagrams through a client and server UDP tunnel pair on loopback, as two icetunnel processes would carry them. */
@Timeout(60)
class UdpTunnelTransferTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void thousandDatagramsOfManySizesEchoBackIntactFromTheAddressTheAppSentTo() throws Exception {
        // Proves: 1,000 datagrams of 32 to 1,200 bytes cross both tunnels to a UDP echo and come back byte for
        // byte, each reply from the client tunnel's listening address, all in one flow with ECDHE_PSK AES-GCM.
        Random random = new Random(1);
        try (UdpEcho echo = UdpEcho.start(); UdpTunnelPair pair = new UdpTunnelPair(echo.address());
                App app = new App()) {
            for (int i = 0; i < 1000; i++) {
                byte[] sent = new byte[32 + random.nextInt(1200 - 32 + 1)];
                random.nextBytes(sent);
                app.send(sent, pair.client.localAddress());

                App.Reply reply = app.receive(WAIT);
                assertNotNull(reply, "no reply to datagram " + i);
                assertArrayEquals(sent, reply.bytes(), "datagram " + i);
                assertEquals(pair.client.localAddress(), reply.from(), "where reply " + i + " came from");
            }

            assertEquals("DTLSv1.2 TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256", pair.clientEvents.nextOpened(WAIT));
            assertEquals("DTLSv1.2 TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256", pair.serverEvents.nextOpened(WAIT));
            assertEquals(1000, echo.received());
            assertEquals(1, pair.server.flowCount());
        }
    }

    @Test
    void tenAppSocketsAtOnceGetTenFlowsOfTheirOwn() throws Exception {
        // Proves: ten application sockets sending at the same time each get a flow (a DTLS session) of their own:
        // the server tunnel holds ten flows, the service sees ten source addresses, and every socket gets back
        // exactly its own datagrams.
        try (UdpEcho echo = UdpEcho.start(); UdpTunnelPair pair = new UdpTunnelPair(echo.address())) {
            List<Thread> apps = new ArrayList<>();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 10; i++) {
                int appNumber = i;
                apps.add(Thread.ofVirtual().start(() -> exchange(pair, appNumber, failures)));
            }
            for (Thread app : apps) {
                app.join();
            }

            assertEquals(List.of(), failures);
            assertEquals(10, pair.server.flowCount(), "server flows");
            assertEquals(10, pair.client.flowCount(), "client flows");
            assertEquals(10, echo.senders().size(), "distinct sources at the service");
            for (int i = 0; i < 10; i++) {
                pair.serverEvents.nextOpened(WAIT);
            }
            assertEquals(0, pair.serverEvents.unclaimedOpenings());
        }
    }

    @Test
    void largestDatagramCrossesIntactBothWays() throws Exception {
        // Proves: a datagram of exactly the largest size carried over a 1500-byte IPv4 path (1430 bytes) crosses
        // both tunnels and comes back unchanged, and so do the smallest ones.
        try (UdpEcho echo = UdpEcho.start(); UdpTunnelPair pair = new UdpTunnelPair(echo.address());
                App app = new App()) {
            assertEquals(1430, pair.client.maxPayload());
            for (int size : new int[] {1430, 1, 1430}) {
                byte[] sent = new byte[size];
                new Random(size).nextBytes(sent);
                app.send(sent, pair.client.localAddress());

                App.Reply reply = app.receive(WAIT);
                assertNotNull(reply, "no reply to a " + size + "-byte datagram");
                assertArrayEquals(sent, reply.bytes());
            }
        }
    }

    @Test
    void zeroLengthDatagramReachesTheService() throws Exception {
        // Proves: a zero-length datagram, valid UDP that Netty's epoll channel would not send, is sealed, opened
        // and delivered to the service as a zero-length datagram. (Its zero-length echo is not seen: see the
        // limitation in TargetSocketHandler.)
        try (UdpEcho echo = UdpEcho.start(); UdpTunnelPair pair = new UdpTunnelPair(echo.address());
                App app = new App()) {
            app.send(new byte[0], pair.client.localAddress());
            app.send(new byte[] {7}, pair.client.localAddress());

            App.Reply reply = app.receive(WAIT);
            assertNotNull(reply, "no reply to the one-byte datagram");
            assertArrayEquals(new byte[] {7}, reply.bytes());
            assertEquals(2, echo.received(), "datagrams at the service, the empty one included");
        }
    }

    private static void exchange(UdpTunnelPair pair, int appNumber, List<Throwable> failures) {
        try (App app = new App()) {
            for (int i = 0; i < 20; i++) {
                byte[] sent = ("app " + appNumber + " datagram " + i).getBytes(StandardCharsets.US_ASCII);
                app.send(sent, pair.client.localAddress());
                App.Reply reply = app.receive(WAIT);
                assertNotNull(reply, "app " + appNumber + ": no reply to datagram " + i);
                assertArrayEquals(sent, reply.bytes());
            }
        } catch (Throwable e) {
            failures.add(e);
        }
    }
}
