package dev.ice.tunnel.udp;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.jctools.queues.atomic.SpscAtomicArrayQueue;

/**
 * The two bounded queues between the event loop and a flow's worker: ciphertext for BouncyCastle to open, and
 * plaintext for it to seal. Each queue has one producer (an event loop) and one consumer (the worker), so they are
 * JCTools' single-producer single-consumer arrays; the atomic flavour, which needs no {@code sun.misc.Unsafe}.
 *
 * <p>The worker parks when both are empty and is unparked by each offer. A full queue drops the datagram, as a
 * full socket buffer would, and the caller counts it.
 */
final class FlowInbox {

    /** Datagrams each queue holds while the worker is busy or still handshaking. */
    static final int CAPACITY = 128;

    private final SpscAtomicArrayQueue<Datagram> ciphertext = new SpscAtomicArrayQueue<>(CAPACITY);
    private final SpscAtomicArrayQueue<Datagram> plaintext = new SpscAtomicArrayQueue<>(CAPACITY);
    private volatile Thread worker;
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
        long deadline = waitMillis == 0 ? Long.MAX_VALUE
            : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
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
            if (left <= 0) {
                throw new SocketTimeoutException("no datagram within " + waitMillis + " ms");
            }
            LockSupport.parkNanos(this, left);
        }
    }

    private boolean offer(SpscAtomicArrayQueue<Datagram> queue, Datagram datagram) {
        boolean queued = queue.offer(datagram);
        if (queued) {
            wake();
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
