package dev.ice.tunnel.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ice.tunnel.ConnectionOutcome;
import dev.ice.tunnel.tls.DtlsPskContext;

/** What a UDP tunnel does at its limits: datagram size, idle time and the number of flows. */
@Timeout(60)
class UdpTunnelLimitsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration SILENCE = Duration.ofMillis(500);

    @Test
    void oversizedDatagramsAreCountedAndLoggedAndSmallOnesStillCross() throws Exception {
        // Proves: datagrams one byte over the largest carried size, and far over it, are dropped whole (never cut),
        // reported to the listener with their size, logged once with the limit and the fix, and counted in the
        // flow's close line; datagrams sent after them still cross intact.
        try (LogCapture log = new LogCapture("ice.datagram"); LogCapture flows = new LogCapture("ice.connection");
                UdpEcho echo = UdpEcho.start(); UdpTunnelPair pair = new UdpTunnelPair(echo.address());
                App app = new App()) {
            roundTrip(app, pair, new byte[100]);
            app.send(new byte[1431], pair.client.localAddress());
            app.send(new byte[5000], pair.client.localAddress());
            assertNull(app.receive(SILENCE), "nothing comes back for an oversized datagram");

            roundTrip(app, pair, new byte[1430]);
            roundTrip(app, pair, new byte[32]);

            List<FlowEvents.Dropped> dropped = pair.clientEvents.dropped();
            assertEquals(List.of(new FlowEvents.Dropped(ConnectionOutcome.DATAGRAM_TOO_LARGE, 1431),
                new FlowEvents.Dropped(ConnectionOutcome.DATAGRAM_TOO_LARGE, 2048)), dropped);
            assertEquals(3, echo.received(), "only the datagrams that fit reached the service");
            List<String> lines = log.linesContaining("1431-byte datagram");
            assertEquals(1, lines.size(), log.lines().toString());
            assertTrue(lines.get(0).contains("the largest carried is 1430 bytes, for a 1500-byte path MTU over IPv4"),
                lines.get(0));
            assertEquals(1, log.lines().size(), "the second drop is summed, not logged: " + log.lines());

            pair.client.close();
            assertEquals(1, flows.linesContaining("dropped 2 too large").size(), flows.lines().toString());
        }
    }

    @Test
    void idleFlowsExpireOnBothSidesAndTheNextDatagramOpensANewOne() throws Exception {
        // Proves: with a 1 s idle timeout, a flow that carried a datagram ends on both tunnels about a second later
        // (the first to expire sends close_notify, which ends the other), and the next datagram from the same app
        // socket opens a new flow that works.
        try (UdpEcho echo = UdpEcho.start();
                UdpTunnelPair pair = new UdpTunnelPair(echo.address(), Duration.ofSeconds(1), 16);
                App app = new App()) {
            roundTrip(app, pair, "before".getBytes());

            List<ConnectionOutcome> outcomes = List.of(pair.clientEvents.nextClosed(WAIT).outcome(),
                pair.serverEvents.nextClosed(WAIT).outcome());
            assertTrue(outcomes.contains(ConnectionOutcome.IDLE_TIMEOUT), outcomes.toString());
            awaitFlows(pair.client, 0);
            awaitFlows(pair.server, 0);

            roundTrip(app, pair, "after".getBytes());
            assertEquals(1, pair.server.flowCount());
            assertEquals(2, echo.senders().size(), "the new flow has a socket of its own at the server");
        }
    }

    @Test
    void flowLimitRefusesNewPeersWithOneLogLineAndKeepsServingOpenFlows() throws Exception {
        // Proves: a client tunnel limited to two flows refuses a third app socket's datagrams (no reply, reported
        // as flow limit), logs the refusal once however often it happens, and keeps serving the two open flows.
        try (LogCapture log = new LogCapture("ice.datagram"); UdpEcho echo = UdpEcho.start();
                UdpTunnelPair pair = new UdpTunnelPair(echo.address(), Duration.ofSeconds(30), 2);
                App first = new App(); App second = new App(); App third = new App()) {
            roundTrip(first, pair, "one".getBytes());
            roundTrip(second, pair, "two".getBytes());
            for (int i = 0; i < 50; i++) {
                third.send("three".getBytes(), pair.client.localAddress());
            }
            assertNull(third.receive(SILENCE), "the third app gets nothing back");
            roundTrip(first, pair, "still one".getBytes());

            assertEquals(2, pair.client.flowCount());
            assertEquals(50, pair.clientEvents.dropped().stream()
                .filter(drop -> drop.reason() == ConnectionOutcome.FLOW_LIMIT).count());
            List<String> lines = log.linesContaining("flow limit reached");
            assertEquals(1, lines.size(), log.lines().toString());
            assertTrue(lines.get(0).contains("the tunnel holds its maximum of 2 flows; raise the flow limit"),
                lines.get(0));
        }
    }

    @Test
    void serverFlowLimitRefusesVerifiedHellosBeyondIt() throws Exception {
        // Proves: a server tunnel limited to one flow answers a second client's verified hello with nothing, so
        // that client's handshake times out and its datagram never reaches the service, while the first flow
        // works on.
        FlowEvents otherEvents = new FlowEvents();
        try (UdpEcho echo = UdpEcho.start();
                UdpTunnelPair pair = new UdpTunnelPair(echo.address(), Duration.ofSeconds(30), 1)) {
            UdpTunnel other = pair.clientTo(new DtlsPskContext(UdpTunnelPair.KEY, UdpTunnelPair.QUICK), otherEvents,
                Duration.ofSeconds(30), 16);
            try (App first = new App(); App second = new App()) {
                roundTrip(first, pair, "first".getBytes());
                second.send("second".getBytes(), other.localAddress());

                assertEquals(ConnectionOutcome.HANDSHAKE_TIMEOUT, otherEvents.nextClosed(WAIT).outcome());
                assertTrue(pair.serverEvents.dropped().stream()
                    .anyMatch(drop -> drop.reason() == ConnectionOutcome.FLOW_LIMIT));
                assertEquals(1, echo.received());
                roundTrip(first, pair, "first again".getBytes());
            } finally {
                other.close();
            }
        }
    }

    static void roundTrip(App app, UdpTunnelPair pair, byte[] sent) throws Exception {
        roundTrip(app, pair.client, sent);
    }

    static void roundTrip(App app, UdpTunnel client, byte[] sent) throws Exception {
        app.send(sent, client.localAddress());
        App.Reply reply = app.receive(WAIT);
        assertNotNull(reply, "no reply to a " + sent.length + "-byte datagram");
        assertArrayEquals(sent, reply.bytes());
    }

    static void awaitFlows(UdpTunnel tunnel, int count) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (tunnel.flowCount() != count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(count, tunnel.flowCount());
    }
}
