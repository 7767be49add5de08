package dev.ice.tunnel.interop;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.opentest4j.AssertionFailedError;

import dev.ice.tunnel.ConnectionOutcome;
import dev.ice.tunnel.relay.ConnectionListener;

/**
 * Records what a tunnel tells its listener, so that a test can wait for a connection to open or close.
 *
 * <p>The tunnel calls it on its event loop; the test reads it on its own thread.
 */
final class ConnectionRecorder implements ConnectionListener {

    /** How long a test waits for an event that should come promptly. */
    static final Duration PROMPTLY = Duration.ofSeconds(10);

    /** A connectionOpened call. */
    record Opened(String protocol, String cipherSuite) {
    }

    /** A connectionClosed call. */
    record Closed(ConnectionOutcome outcome, long bytesUp, long bytesDown) {
    }

    private final BlockingQueue<Opened> opened = new LinkedBlockingQueue<>();
    private final BlockingQueue<Closed> closed = new LinkedBlockingQueue<>();

    @Override
    public void connectionOpened(String protocol, String cipherSuite) {
        opened.add(new Opened(protocol, cipherSuite));
    }

    @Override
    public void connectionClosed(ConnectionOutcome outcome, long bytesUp, long bytesDown) {
        closed.add(new Closed(outcome, bytesUp, bytesDown));
    }

    /** @return the next connection that opened, waiting for it if need be */
    Opened awaitOpened() throws InterruptedException {
        return await(opened, "opened");
    }

    /** @return the next connection that closed, waiting for it if need be */
    Closed awaitClosed() throws InterruptedException {
        return await(closed, "closed");
    }

    /** @return how many connections have opened and not yet been taken by {@link #awaitOpened()} */
    int unclaimedOpenings() {
        return opened.size();
    }

    private static <T> T await(BlockingQueue<T> events, String what) throws InterruptedException {
        T event = events.poll(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS);
        if (event == null) {
            throw new AssertionFailedError("no connection " + what + " within " + PROMPTLY);
        }
        return event;
    }
}
