package dev.ice.tunnel.udp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Measures the handoff from an event loop to a flow's worker: how long a datagram waits between the event loop's
 * offer and the parked virtual-thread worker holding it, and how many datagrams a second one worker can take when
 * it never parks. {@link FlowInbox} (JCTools SPSC queue with park/unpark) is set against the JDK's
 * {@link ArrayBlockingQueue}, the obvious alternative.
 *
 * <p>Not a test: a program to run by hand on an otherwise idle machine (see the README's UDP section):
 * <pre>
 *   mvn -q -pl tunnel-core test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 *   java -cp tunnel-core/target/test-classes:tunnel-core/target/classes:$(cat tunnel-core/target/cp.txt) \
 *       dev.ice.tunnel.udp.FlowInboxBenchmark
 * </pre>
 */
public final class FlowInboxBenchmark {

    private static final int LATENCY_SAMPLES = 20_000;
    private static final long LATENCY_GAP_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    private static final int THROUGHPUT_ITEMS = 5_000_000;
    private static final InetSocketAddress SENDER = new InetSocketAddress("127.0.0.1", 5000);

    private FlowInboxBenchmark() {
    }

    /**
     * Runs each measurement three times and prints the last, after warm-up.
     *
     * @param args ignored
     */
    public static void main(String[] args) throws Exception {
        for (int round = 1; round <= 3; round++) {
            System.out.printf("round %d%n", round);
            report("FlowInbox, parked worker", inboxLatency());
            report("ArrayBlockingQueue, parked worker", blockingLatency());
            System.out.printf("  %-36s %,12.0f datagrams/s%n", "FlowInbox, busy worker", inboxThroughput());
            System.out.printf("  %-36s %,12.0f datagrams/s%n", "ArrayBlockingQueue, busy worker",
                blockingThroughput());
        }
    }

    private static long[] inboxLatency() throws Exception {
        FlowInbox inbox = new FlowInbox();
        long[] waits = new long[LATENCY_SAMPLES];
        Thread worker = Thread.ofVirtual().unstarted(() -> {
            try {
                for (int i = 0; i < LATENCY_SAMPLES; i++) {
                    Datagram next = inbox.awaitCiphertext(0);
                    waits[i] = System.nanoTime() - stamp(next.bytes());
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        inbox.consumedBy(worker);
        worker.start();
        for (int i = 0; i < LATENCY_SAMPLES; i++) {
            pause(LATENCY_GAP_NANOS);
            while (!inbox.offerCiphertext(new Datagram(stamped(), SENDER))) {
                Thread.onSpinWait();
            }
        }
        worker.join();
        return waits;
    }

    private static long[] blockingLatency() throws Exception {
        BlockingQueue<Datagram> queue = new ArrayBlockingQueue<>(FlowInbox.CAPACITY);
        long[] waits = new long[LATENCY_SAMPLES];
        Thread worker = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < LATENCY_SAMPLES; i++) {
                    Datagram next = queue.take();
                    waits[i] = System.nanoTime() - stamp(next.bytes());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        for (int i = 0; i < LATENCY_SAMPLES; i++) {
            pause(LATENCY_GAP_NANOS);
            queue.put(new Datagram(stamped(), SENDER));
        }
        worker.join();
        return waits;
    }

    private static double inboxThroughput() throws Exception {
        FlowInbox inbox = new FlowInbox();
        Thread worker = Thread.ofVirtual().unstarted(() -> {
            try {
                for (int i = 0; i < THROUGHPUT_ITEMS; i++) {
                    inbox.awaitCiphertext(0);
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        inbox.consumedBy(worker);
        Datagram datagram = new Datagram(new byte[8], SENDER);
        long start = System.nanoTime();
        worker.start();
        for (int i = 0; i < THROUGHPUT_ITEMS; i++) {
            // Full: let the worker run, as ArrayBlockingQueue.put does by blocking; spinning starves it on 2 cores.
            while (!inbox.offerCiphertext(datagram)) {
                Thread.yield();
            }
        }
        worker.join();
        return THROUGHPUT_ITEMS / ((System.nanoTime() - start) / 1e9);
    }

    private static double blockingThroughput() throws Exception {
        BlockingQueue<Datagram> queue = new ArrayBlockingQueue<>(FlowInbox.CAPACITY);
        Thread worker = Thread.ofVirtual().unstarted(() -> {
            try {
                for (int i = 0; i < THROUGHPUT_ITEMS; i++) {
                    queue.take();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Datagram datagram = new Datagram(new byte[8], SENDER);
        long start = System.nanoTime();
        worker.start();
        for (int i = 0; i < THROUGHPUT_ITEMS; i++) {
            queue.put(datagram);
        }
        worker.join();
        return THROUGHPUT_ITEMS / ((System.nanoTime() - start) / 1e9);
    }

    private static void report(String what, long[] waits) {
        long[] sorted = waits.clone();
        Arrays.sort(sorted);
        System.out.printf("  %-36s p50 %6.1f us  p90 %6.1f us  p99 %6.1f us  max %8.1f us%n", what,
            micros(sorted, 0.50), micros(sorted, 0.90), micros(sorted, 0.99), sorted[sorted.length - 1] / 1e3);
    }

    private static double micros(long[] sorted, double quantile) {
        return sorted[(int) (quantile * (sorted.length - 1))] / 1e3;
    }

    private static byte[] stamped() {
        long now = System.nanoTime();
        byte[] bytes = new byte[8];
        for (int i = 0; i < 8; i++) {
            bytes[i] = (byte) (now >>> (8 * i));
        }
        return bytes;
    }

    private static long stamp(byte[] bytes) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value |= (bytes[i] & 0xFFL) << (8 * i);
        }
        return value;
    }

    private static void pause(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            LockSupport.parkNanos(1000);
        }
    }
}
