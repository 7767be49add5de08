package dev.ice.tunnel.relay;

import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ice.tunnel.ConnectionOutcome;
import dev.ice.tunnel.Endpoint;

/**
 * One tunnelled connection's id, byte counts and outcome, and its two log lines: one when it opens, one when it
 * closes.
 *
 * <p>"Up" is the direction from the accepted side toward the target, "down" the way back. All of a connection's
 * channels share one event loop, so no field here needs a lock.
 */
final class Connection {

    private static final Logger CONNECTIONS = LoggerFactory.getLogger("ice.connection");
    // A separate category so that users can quiet other people's failed handshakes.
    private static final Logger HANDSHAKES = LoggerFactory.getLogger("ice.handshake");
    private static final AtomicLong NEXT_ID = new AtomicLong(1);

    private final String id;
    private final String role;
    private final SocketAddress peer;
    private final String target;
    private final long startNanos = System.nanoTime();
    private final ConnectionListener listener;

    private String from;
    private boolean proxied;
    private ConnectionOutcome outcome = ConnectionOutcome.CLOSED;
    private String detail = "";
    private boolean opened;
    private int openChannels;
    private long bytesUp;
    private long bytesDown;

    Connection(String role, SocketAddress accepted, String target, ConnectionListener listener) {
        this.id = "c" + NEXT_ID.getAndIncrement();
        this.role = role;
        this.peer = accepted;
        this.from = Endpoint.describe(accepted);
        this.target = target;
        this.listener = listener;
    }

    String id() {
        return id;
    }

    /**
     * Records the real client that a trusted PROXY header named, for the open and close lines: the peer is then
     * the load balancer in front of ICE.
     */
    void behindProxy(SocketAddress client) {
        proxied = true;
        from = Endpoint.describe(client) + " via " + Endpoint.describe(peer);
    }

    void channelOpened() {
        openChannels++;
    }

    void opened(String protocol, String cipherSuite) {
        opened = true;
        CONNECTIONS.info("{} open {} {} -> {} {} {}", id, role, from, target, protocol, cipherSuite);
        listener.connectionOpened(protocol, cipherSuite);
    }

    void countUp(int bytes) {
        bytesUp += bytes;
    }

    void countDown(int bytes) {
        bytesDown += bytes;
    }

    /** Records why the connection is ending; the first reason other than a clean close wins. */
    void fail(ConnectionOutcome reason, String why) {
        if (outcome == ConnectionOutcome.CLOSED && reason != ConnectionOutcome.CLOSED) {
            outcome = reason;
            detail = why == null ? "" : why;
        }
    }

    ConnectionOutcome outcome() {
        return outcome;
    }

    void channelClosed() {
        if (--openChannels > 0) {
            return;
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        String why = detail.isEmpty() ? "" : " (" + detail + ")";
        if (opened) {
            CONNECTIONS.atLevel(outcome.level()).log("{} close {} {}{}: up {} B, down {} B, {} ms{}", id, role,
                outcome.description(), why, bytesUp, bytesDown, millis, proxied ? ", client " + from : "");
        } else {
            HANDSHAKES.atLevel(outcome.level()).log("{} {} from {} to {}: {}{} after {} ms", id, role, from,
                target, outcome.description(), why, millis);
        }
        listener.connectionClosed(outcome, bytesUp, bytesDown);
    }
}
