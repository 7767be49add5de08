package dev.ice.tunnel.udp;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.jctools.queues.atomic.SpscAtomicArrayQueue;

/**
 * The two bounded queues between the event loop and a flow's worker: ciphertext for BouncyCastle to open, and
 * plaintext for it to seal. Each queue has one producer (an event loop) and one consumer (the worker), so they are
 * JCTools' single-producer single-consumer arrays; the atomic flavour, which needs no {@code sun.misc.Unsafe}.
 *
 * <p>The worker parks when both are empty, after raising {@code waiting}; a producer unparks it only when that
 * flag is up, since unparking a virtual thread that is not parked still costs a scheduler round trip. A full queue
 * drops the datagram, as a full socket buffer would, and the caller counts it.
 *
 * <p>A timed park of a virtual thread schedules and cancels a timer task each time, which cut the handoff rate
 * several times over in {@code FlowInboxBenchmark}. So once the session is established the worker parks without a
 * timeout and publishes its deadline, and the tunnel's sweep ({@link #wakeIfDue}) wakes it when the deadline
 * passes; the idle timeout is then kept to within a sweep period. During the handshake, whose retransmission timers
 * want precision, the park is timed.
 */
final class FlowInbox {

    /** Datagrams each queue holds while the worker is busy or still handshaking. */
    static final int CAPACITY = 128;

    private final SpscAtomicArrayQueue<Datagram> ciphertext = new SpscAtomicArrayQueue<>(CAPACITY);
    private final SpscAtomicArrayQueue<Datagram> plaintext = new SpscAtomicArrayQueue<>(CAPACITY);
    private volatile Thread worker;
    private volatile boolean waiting;
    private volatile long wakeAtNanos;
    private volatile boolean closing;
    private boolean established;

    /** Names the thread that consumes; called by the worker before it first waits. */
    void consumedBy(Thread thread) {
        worker = thread;
    }

    /** @return false if the queue was full and the datagram dropped */
    boolean offerCiphertext(Datagram datagram) {
        return offer(ciphertext, datagram);
    }

    /** @return false if the queue was full and the datagram dropped */
    boolean offerPlaintext(Datagram datagram) {
        return offer(plaintext, datagram);
    }

    /** @return the next plaintext datagram to seal, or null */
    Datagram pollPlaintext() {
        return plaintext.poll();
    }

    /** From now on, waiting plaintext interrupts a wait for ciphertext; not during the handshake. */
    void established() {
        established = true;
    }

    /** Makes the worker's current or next wait end with {@link FlowInterrupt#CLOSING}. */
    void close() {
        closing = true;
        wake();
    }

    /** Wakes the worker if it is parked past its deadline; called by the tunnel's sweep. */
    void wakeIfDue(long nowNanos) {
        if (waiting && nowNanos - wakeAtNanos >= 0) {
            wake();
        }
    }

    /** @return whether {@link #close()} was called */
    boolean isClosing() {
        return closing;
    }

    /**
     * Waits for the next ciphertext datagram.
     *
     * @param waitMillis 0 to wait without limit
     * @return the datagram
     * @throws FlowInterrupt when plaintext waits (once established) or the flow is closing
     * @throws SocketTimeoutException when the wait ends first, which BouncyCastle takes as "nothing yet"
     */
    Datagram awaitCiphertext(int waitMillis) throws IOException {
        boolean forever = waitMillis == 0;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        while (true) {
            Datagram next = ciphertext.poll();
            if (next != null) {
                return next;
            }
            if (closing) {
                throw FlowInterrupt.CLOSING;
            }
            if (established && !plaintext.isEmpty()) {
                throw FlowInterrupt.PLAINTEXT_WAITING;
            }
            long left = deadline - System.nanoTime();
            if (!forever && left <= 0) {
                throw new SocketTimeoutException("no datagram within " + waitMillis + " ms");
            }
            parkUnlessFed(forever, deadline, left);
        }
    }

    // Raise the flag, then look once more: a datagram offered before the flag went up is seen here, and one
    // offered after it finds the flag up and unparks us.
    private void parkUnlessFed(boolean forever, long deadline, long left) {
        wakeAtNanos = forever ? Long.MAX_VALUE : deadline;
        waiting = true;
        if (ciphertext.isEmpty() && !closing && !(established && !plaintext.isEmpty())) {
            if (forever || established) {
                LockSupport.park(this);
            } else {
                LockSupport.parkNanos(this, left);
            }
        }
        waiting = false;
    }

    private boolean offer(SpscAtomicArrayQueue<Datagram> queue, Datagram datagram) {
        boolean queued = queue.offer(datagram);
        if (queued) {
            // The queue publishes with a release store, which a later load may pass; the fence keeps the worker
            // from missing both the datagram and the unpark (a Dekker handshake with parkUnlessFed).
            VarHandle.fullFence();
            if (waiting) {
                wake();
            }
        }
        return queued;
    }

    private void wake() {
        Thread consumer = worker;
        if (consumer != null) {
            LockSupport.unpark(consumer);
        }
    }
}
