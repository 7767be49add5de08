package dev.ice.tunnel.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ice.tunnel.ConnectionOutcome;
import dev.ice.tunnel.Endpoint;
import dev.ice.tunnel.relay.Transport;
import dev.ice.tunnel.relay.TunnelMode;
import dev.ice.tunnel.tls.DtlsPskContext;

/** What the network between two UDP tunnels may do to their datagrams: replay them, or move the client's address. */
@Timeout(60)
class UdpTunnelNetworkTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void replayedRecordsAreDroppedSoEachDatagramArrivesOnce() throws Exception {
        // Proves: replay protection is on. A hop that sends every record from the client tunnel twice, as an
        // attacker replaying captured traffic would, still gets each application datagram to the service exactly
        // once, because the server's DTLS drops records whose sequence number it has seen (RFC 6347 §4.1.2.6).
        try (UdpEcho echo = UdpEcho.start(); Hop hop = new Hop(echo, 2); App app = new App()) {
            for (int i = 0; i < 50; i++) {
                UdpTunnelLimitsTest.roundTrip(app, hop.client, ("datagram " + i).getBytes());
            }

            assertEquals(50, echo.received(), "datagrams at the service");
            assertEquals(1, hop.server.flowCount());
        }
    }

    @Test
    void clientWhoseAddressChangesKeepsItsFlowThroughTheConnectionId() throws Exception {
        // Proves: RFC 9146 connection IDs are negotiated and used. When the client's source port changes mid-flow
        // (a NAT rebinding), the server finds the flow by its connection ID, moves the peer address only after a
        // record authenticates, and replies to the new address: the same flow carries on, with no new handshake.
        try (LogCapture log = new LogCapture("ice.connection"); UdpEcho echo = UdpEcho.start();
                Hop hop = new Hop(echo, 1); App app = new App()) {
            UdpTunnelLimitsTest.roundTrip(app, hop.client, "before the move".getBytes());
            var before = hop.relay.upstreamAddress();

            hop.relay.rebind();
            for (int i = 0; i < 5; i++) {
                UdpTunnelLimitsTest.roundTrip(app, hop.client, ("after the move " + i).getBytes());
            }

            assertNotEquals(before, hop.relay.upstreamAddress());
            assertEquals(1, hop.server.flowCount());
            assertEquals(1, hop.serverEvents.unclaimedOpenings(), "one handshake only");
            assertEquals(1, log.linesContaining("peer moved " + Endpoint.describe(before) + " -> "
                + Endpoint.describe(hop.relay.upstreamAddress()) + " (connection ID)").size(), log.lines()
                .toString());
        }
    }

    @Test
    void clientLearnsFromUnansweredHeartbeatsThatItsServerRestartedAndStartsAnew() throws Exception {
        // Proves: when the server a client flow talks to is replaced by one that never saw the session (a restart
        // without close_notify), the client's heartbeats go unanswered, its flow ends as upstream unreachable, and
        // the application, which kept sending all along, hears back again through a new handshake.
        try (UdpEcho echo = UdpEcho.start(); Hop hop = new Hop(echo, 1); App app = new App()) {
            UdpTunnelLimitsTest.roundTrip(app, hop.client, "before the restart".getBytes());
            UdpTunnel restarted = UdpTunnel.start(UdpTunnelPair.config(TunnelMode.SERVER, echo.address(), WAIT, 16),
                new DtlsPskContext(UdpTunnelPair.KEY, UdpTunnelPair.QUICK), new FlowEvents(), hop.transport);
            try {
                hop.relay.retarget(restarted.localAddress());

                assertTrue(keepSendingUntilAnswered(app, hop.client), "no answer after the restart");
                assertEquals(ConnectionOutcome.UPSTREAM_UNREACHABLE, hop.clientEvents.nextClosed(WAIT).outcome());
                assertEquals(1, restarted.flowCount());
            } finally {
                restarted.close();
            }
        }
    }

    private static boolean keepSendingUntilAnswered(App app, UdpTunnel client) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            app.send("anyone there?".getBytes(), client.localAddress());
            if (app.receive(Duration.ofMillis(250)) != null) {
                return true;
            }
        }
        return false;
    }

    /** A client tunnel and a server tunnel with a {@link UdpRelay} between them. */
    private static final class Hop implements AutoCloseable {

        final Transport transport = Transport.start(2);
        final FlowEvents serverEvents = new FlowEvents();
        final FlowEvents clientEvents = new FlowEvents();
        final UdpTunnel server;
        final UdpRelay relay;
        final UdpTunnel client;

        Hop(UdpEcho echo, int copies) throws Exception {
            server = UdpTunnel.start(UdpTunnelPair.config(TunnelMode.SERVER, echo.address(), WAIT, 16),
                new DtlsPskContext(UdpTunnelPair.KEY, UdpTunnelPair.QUICK), serverEvents, transport);
            relay = new UdpRelay(server.localAddress(), copies);
            client = UdpTunnel.start(UdpTunnelPair.config(TunnelMode.CLIENT, relay.address(), WAIT, 16),
                new DtlsPskContext(UdpTunnelPair.KEY, UdpTunnelPair.QUICK), clientEvents, transport);
        }

        @Override
        public void close() {
            client.close();
            relay.close();
            server.close();
            transport.close();
        }
    }
}
