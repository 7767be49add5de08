package dev.ice.tunnel.udp;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ice.tunnel.ConnectionOutcome;
import dev.ice.tunnel.relay.ConnectionListener;

/**
 * One flow's id, counts and outcome, and its log lines: one when it opens, one when it closes, or one in
 * {@code ice.handshake} if it never opened. The lines read like the TCP tunnel's, with datagram counts added.
 *
 * <p>"Up" is from the peer that opened the flow toward the target, "down" the way back. Datagram and byte counts
 * are of application payloads, and are kept by the worker alone; drops are counted from any thread.
 */
final class FlowRecord {

    private static final Logger CONNECTIONS = LoggerFactory.getLogger("ice.connection");
    // A separate category so that users can quiet other people's failed handshakes.
    private static final Logger HANDSHAKES = LoggerFactory.getLogger("ice.handshake");
    private static final AtomicLong NEXT_ID = new AtomicLong(1);

    private final String id = "u" + NEXT_ID.getAndIncrement();
    private final String role;
    private final String target;
    private final ConnectionListener listener;
    private final long startNanos = System.nanoTime();
    private final AtomicReference<ConnectionOutcome> outcome = new AtomicReference<>();
    private final AtomicLong tooLarge = new AtomicLong();
    private final AtomicLong backlogFull = new AtomicLong();

    private volatile String peer;
    private volatile String detail = "";
    private boolean opened;
    private long datagramsUp;
    private long bytesUp;
    private long datagramsDown;
    private long bytesDown;

    FlowRecord(String role, String peer, String target, ConnectionListener listener) {
        this.role = role;
        this.peer = peer;
        this.target = target;
        this.listener = listener;
    }

    String id() {
        return id;
    }

    void peerMoved(String newPeer) {
        CONNECTIONS.info("{} {} peer moved {} -> {} (connection ID)", id, role, peer, newPeer);
        peer = newPeer;
    }

    void opened(String protocol, String cipherSuite) {
        opened = true;
        CONNECTIONS.info("{} open {} {} -> {} {} {}", id, role, peer, target, protocol, cipherSuite);
        listener.connectionOpened(protocol, cipherSuite);
    }

    void countUp(int bytes) {
        datagramsUp++;
        bytesUp += bytes;
    }

    void countDown(int bytes) {
        datagramsDown++;
        bytesDown += bytes;
    }

    void countDrop(ConnectionOutcome reason) {
        (reason == ConnectionOutcome.DATAGRAM_TOO_LARGE ? tooLarge : backlogFull).incrementAndGet();
    }

    /** Records why the flow is ending; the first reason wins. */
    void fail(ConnectionOutcome reason, String why) {
        if (outcome.compareAndSet(null, reason)) {
            detail = why == null ? "" : why;
        }
    }

    /** Logs the closing line and tells the listener; called once, by the worker. */
    void closed() {
        fail(ConnectionOutcome.CLOSED, "");
        ConnectionOutcome how = outcome.get();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        String why = detail.isEmpty() ? "" : " (" + detail + ")";
        if (opened) {
            CONNECTIONS.atLevel(how.level()).log("{} close {} {}{}: up {} datagrams {} B, down {} datagrams {} B{}, "
                + "{} ms", id, role, how.description(), why, datagramsUp, bytesUp, datagramsDown, bytesDown,
                drops(), millis);
        } else {
            HANDSHAKES.atLevel(how.level()).log("{} {} from {} to {}: {}{} after {} ms", id, role, peer, target,
                how.description(), why, millis);
        }
        listener.connectionClosed(how, bytesUp, bytesDown);
    }

    private String drops() {
        if (tooLarge.get() == 0 && backlogFull.get() == 0) {
            return "";
        }
        return ", dropped " + tooLarge.get() + " too large and " + backlogFull.get() + " on a full backlog";
    }
}
