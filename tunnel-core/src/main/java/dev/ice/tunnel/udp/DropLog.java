package dev.ice.tunnel.udp;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ice.tunnel.ConnectionOutcome;
import dev.ice.tunnel.relay.ConnectionListener;

/**
 * Logs the datagrams a UDP tunnel drops, at most one line per reason every {@link #INTERVAL_SECONDS} seconds, so
 * that a flood cannot flood the log too. The first drop of a reason is logged at once, with the fix; the drops
 * after it are summed and logged with the next drop after the interval. Every drop also reaches the listener,
 * and the drops of a flow are in its close line, so none goes unrecorded.
 *
 * <p>Category {@code ice.datagram}.
 */
final class DropLog {

    /** The shortest time between two lines for one reason. */
    static final long INTERVAL_SECONDS = 10;

    private static final Logger LOG = LoggerFactory.getLogger("ice.datagram");

    private final ConnectionListener listener;
    private final Map<ConnectionOutcome, Window> windows = new EnumMap<>(ConnectionOutcome.class);

    DropLog(ConnectionListener listener) {
        this.listener = listener;
    }

    /**
     * Records a dropped datagram.
     *
     * @param reason why it was dropped
     * @param bytes its size as read
     * @param what the first line's text: who dropped what, and how to fix it
     */
    synchronized void dropped(ConnectionOutcome reason, int bytes, String what) {
        listener.datagramDropped(reason, bytes);
        Window window = windows.computeIfAbsent(reason, r -> new Window());
        long now = System.nanoTime();
        if (window.lastLogNanos == 0) {
            LOG.atLevel(reason.level()).log("{}: {} (more drops of this kind are summed every {} s)",
                reason.description(), what, INTERVAL_SECONDS);
            window.start(now);
            return;
        }
        window.count(bytes);
        if (now - window.lastLogNanos >= TimeUnit.SECONDS.toNanos(INTERVAL_SECONDS)) {
            LOG.atLevel(reason.level()).log("{}: {} more datagrams dropped in the last {} s, the largest {} B; "
                + "latest: {}", reason.description(), window.dropped, TimeUnit.NANOSECONDS.toSeconds(now
                - window.lastLogNanos), window.largest, what);
            window.start(now);
        }
    }

    /** Drops of one reason since its last line. */
    private static final class Window {

        private long lastLogNanos;
        private long dropped;
        private int largest;

        void start(long now) {
            lastLogNanos = now;
            dropped = 0;
            largest = 0;
        }

        void count(int bytes) {
            dropped++;
            largest = Math.max(largest, bytes);
        }
    }
}
