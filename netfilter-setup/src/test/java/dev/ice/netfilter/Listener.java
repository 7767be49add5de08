package dev.ice.netfilter;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * A socat TCP listener in a namespace that collects whatever its callers send, for checking where a connection
 * landed. It listens on IPv4 and IPv6 alike unless bound to one address.
 */
final class Listener {

    private static final Duration READY_WITHIN = Duration.ofSeconds(5);

    private final NetworkNamespace namespace;
    private final int port;
    private final StringBuffer received = new StringBuffer();

    private Listener(NetworkNamespace namespace, int port) {
        this.namespace = namespace;
        this.port = port;
    }

    /** Starts listening on every address of the namespace, and returns once the socket accepts. */
    static Listener onAllAddresses(NetworkNamespace namespace, int port) {
        return new Listener(namespace, port).start("TCP6-LISTEN:" + port + ",ipv6only=0,reuseaddr,fork");
    }

    /** The bytes received so far, from every connection. */
    String received() {
        return received.toString();
    }

    /** Waits until a message has arrived, or fails naming what did arrive. */
    void awaitReceived(String message) throws InterruptedException {
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        while (!received().contains(message)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("listener on port " + port + " in " + namespace.name() + " did not receive '"
                    + message + "' within " + READY_WITHIN.toSeconds() + " s; it received: '" + received() + "'");
            }
            Thread.sleep(20);
        }
    }

    private Listener start(String address) {
        Process process = namespace.start("socat", "-u", address, "STDOUT");
        Thread.ofVirtual().start(() -> collect(process.getInputStream()));
        awaitListening();
        return this;
    }

    private void collect(InputStream output) {
        byte[] buffer = new byte[4096];
        try (output) {
            for (int n = output.read(buffer); n >= 0; n = output.read(buffer)) {
                received.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // The listener was killed at the end of the test.
        }
    }

    private void awaitListening() {
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        List<String> probe = List.of("ss", "-Hltn", "sport = :" + port);
        while (namespace.runner().run(probe, "").stdout().isBlank()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("socat did not listen on port " + port + " in " + namespace.name());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a listener", e);
            }
        }
    }
}
