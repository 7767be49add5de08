package dev.ice.cli;

import java.util.concurrent.CountDownLatch;

import sun.misc.Signal;

/** Waits for SIGTERM or SIGINT, handled so the process can clean up and exit 0 rather than 143. */
final class Signals {

    private Signals() {
    }

    /** Blocks until the first SIGTERM or SIGINT. */
    static void awaitTermination() throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> stop.countDown());
        }
        stop.await();
    }
}
