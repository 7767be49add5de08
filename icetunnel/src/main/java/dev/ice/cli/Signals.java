package dev.ice.cli;

import java.util.concurrent.CountDownLatch;

import sun.misc.Signal;

/**
 * Traps SIGTERM and SIGINT, so that the process can clean up and exit 0 rather than die with 143, and hands SIGHUP,
 * the conventional request to re-read configuration, to whoever asks for it.
 */
final class Signals {

    private Signals() {
    }

    /**
     * Traps the signals from now on. Call it before changing anything that must be undone: until the trap is set,
     * SIGTERM ends the JVM at once, and a sidecar stopped between installing its rules and awaiting the signal
     * would leave them behind.
     *
     * @return a latch that opens on the first SIGTERM or SIGINT; await it once the command is ready
     */
    static CountDownLatch trapTermination() {
        CountDownLatch stop = new CountDownLatch(1);
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> stop.countDown());
        }
        return stop;
    }

    /** Runs the action on every SIGHUP, on the JVM's signal thread. */
    static void onHangup(Runnable action) {
        Signal.handle(new Signal("HUP"), signal -> action.run());
    }
}
