package dev.ice.tunnel.udp;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.ice.tunnel.ConnectionOutcome;
import dev.ice.tunnel.relay.ConnectionListener;

/** Keeps what a UDP tunnel reported about its flows and drops, for tests to wait on. */
final class FlowEvents implements ConnectionListener {

    /** A flow that ended. */
    record Closed(ConnectionOutcome outcome, long bytesUp, long bytesDown) {
    }

    /** A dropped datagram. */
    record Dropped(ConnectionOutcome reason, int bytes) {
    }

    private final BlockingQueue<String> opened = new LinkedBlockingQueue<>();
    private final BlockingQueue<Closed> closed = new LinkedBlockingQueue<>();
    private final List<Dropped> dropped = new CopyOnWriteArrayList<>();

    @Override
    public void connectionOpened(String protocol, String cipherSuite) {
        opened.add(protocol + " " + cipherSuite);
    }

    @Override
    public void connectionClosed(ConnectionOutcome outcome, long bytesUp, long bytesDown) {
        closed.add(new Closed(outcome, bytesUp, bytesDown));
    }

    @Override
    public void datagramDropped(ConnectionOutcome reason, int bytes) {
        dropped.add(new Dropped(reason, bytes));
    }

    /** @return the next flow's protocol and suite, e.g. "DTLSv1.2 TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256" */
    String nextOpened(Duration timeout) throws InterruptedException {
        String next = opened.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (next == null) {
            throw new AssertionError("no flow opened within " + timeout);
        }
        return next;
    }

    /** @return the next ended flow */
    Closed nextClosed(Duration timeout) throws InterruptedException {
        Closed next = closed.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (next == null) {
            throw new AssertionError("no flow closed within " + timeout);
        }
        return next;
    }

    /** @return how many flows opened and were not yet taken by {@link #nextOpened} */
    int unclaimedOpenings() {
        return opened.size();
    }

    /** @return the datagrams dropped so far */
    List<Dropped> dropped() {
        return List.copyOf(dropped);
    }
}
