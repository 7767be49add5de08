package dev.ice.cli;

import java.io.IOException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ice.tunnel.key.LiveKeyRing;

/** Reloads a running tunnel's key file on SIGHUP and whenever the file changes. */
final class KeyReloading {

    private static final Logger LOG = LoggerFactory.getLogger("ice.keys");

    private KeyReloading() {
    }

    /**
     * Starts reloading the keys, if they come from a file; SIGHUP never stops the process.
     *
     * @param keys the keys the tunnel's new connections take
     */
    static void start(LiveKeyRing keys) {
        if (keys == null) {
            return;
        }
        // Also for a key from ICE_PRESHARED_KEY, so that SIGHUP logs that there is nothing to reload instead of
        // stopping the JVM, as it would by default.
        Signals.onHangup(keys::reload);
        if (keys.file().isEmpty()) {
            return;
        }
        try {
            keys.watch();
            LOG.info("key file {}: reloaded on SIGHUP and when it changes; new connections take the new keys",
                keys.file().get());
        } catch (IOException e) {
            LOG.warn("key file {}: its directory cannot be watched ({}), so only SIGHUP reloads it",
                keys.file().get(), e.toString());
        }
    }
}
