package dev.ice.cli;

import java.util.concurrent.CountDownLatch;

import sun.misc.Signal;

/**
 * Waits for SIGTERM or SIGINT, handled so the process can clean up and exit 0 rather than 143, and hands SIGHUP,
 * the conventional request to re-read configuration, to whoever asks for it.
 */
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

    /** Runs the action on every SIGHUP, on the JVM's signal thread. */
    static void onHangup(Runnable action) {
        Signal.handle(new Signal("HUP"), signal -> action.run());
    }
}
