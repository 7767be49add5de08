package dev.ice.tunnel.relay;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.ice.tunnel.ConnectionOutcome;

/** Keeps what a tunnel reported about its connections, for tests to wait on. */
final class RecordingListener implements ConnectionListener {

    private final BlockingQueue<String> opened = new LinkedBlockingQueue<>();
    private final BlockingQueue<ConnectionOutcome> closed = new LinkedBlockingQueue<>();

    @Override
    public void connectionOpened(String protocol, String cipherSuite) {
        opened.add(protocol + " " + cipherSuite);
    }

    @Override
    public void connectionClosed(ConnectionOutcome outcome, long bytesUp, long bytesDown) {
        closed.add(outcome);
    }

    /** @return the next connection's protocol and suite, e.g. "TLSv1.3 TLS_AES_128_GCM_SHA256" */
    String nextOpened(Duration timeout) throws InterruptedException {
        String next = opened.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (next == null) {
            throw new AssertionError("no connection opened within " + timeout);
        }
        return next;
    }

    /** @return the next closed connection's outcome */
    ConnectionOutcome nextClosed(Duration timeout) throws InterruptedException {
        ConnectionOutcome next = closed.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (next == null) {
            throw new AssertionError("no connection closed within " + timeout);
        }
        return next;
    }
}
