package dev.ice.tunnel.key;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys a running tunnel uses now: fixed, or read from a key file again on {@link #reload()} and, once
 * {@link #watch()} is called, whenever the file changes.
 *
 * <p>Each new connection takes the ring that is current when it starts and keeps it to its end, so a reload
 * applies to new connections and never disturbs live ones. A file that fails to parse is reported and the keys in
 * use are kept: a half-written file never leaves a tunnel without keys.
 */
public final class LiveKeyRing implements Supplier<KeyRing>, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("ice.keys");

    private final Path file;
    private final String defaultIdentity;
    private final Consumer<String> warnings;
    private final AtomicReference<KeyRing> current = new AtomicReference<>();
    private byte[] loadedDigest = new byte[0];
    private KeyFileWatch watch;

    private LiveKeyRing(Path file, String defaultIdentity, Consumer<String> warnings) {
        this.file = file;
        this.defaultIdentity = defaultIdentity;
        this.warnings = warnings;
    }

    /**
     * @param ring the keys, never reloaded
     * @return a live ring that always holds these keys
     */
    public static LiveKeyRing fixed(KeyRing ring) {
        LiveKeyRing live = new LiveKeyRing(null, null, warning -> { });
        live.current.set(ring);
        return live;
    }

    /**
     * Reads a key file now; later reloads read it again.
     *
     * @param file the key file
     * @param defaultIdentity the identity of a single line that names none
     * @param warnings receives warnings, now and on every reload
     * @return the live ring
     * @throws PresharedKeyException if the file cannot be read or parsed now
     */
    public static LiveKeyRing fromFile(Path file, String defaultIdentity, Consumer<String> warnings) {
        LiveKeyRing live = new LiveKeyRing(file, defaultIdentity, warnings);
        live.load(KeyFile.readText(file));
        return live;
    }

    /**
     * @param environment the process environment
     * @param warnings receives warnings, now and on every reload
     * @return the keys of {@code ICE_PRESHARED_KEY_FILE}, reloadable, or the fixed key of {@code ICE_PRESHARED_KEY}
     * @throws PresharedKeyException if no key is configured or it is malformed
     */
    public static LiveKeyRing fromEnvironment(Map<String, String> environment, Consumer<String> warnings) {
        Path keyFile = KeySource.keyFile(environment);
        if (keyFile != null) {
            return fromFile(keyFile, KeySource.identity(environment), warnings);
        }
        return fixed(KeySource.keyRing(environment, warnings));
    }

    /** @return the keys for a connection starting now */
    @Override
    public KeyRing get() {
        return current.get();
    }

    /** @return the key file, if the keys come from one */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /**
     * Reads the key file again, as on SIGHUP, and logs what changed. A file that fails to parse is logged at WARN
     * and the keys in use are kept. Does nothing for fixed keys.
     *
     * @return whether the keys changed
     */
    public synchronized boolean reload() {
        if (file == null) {
            LOG.info("keys come from {}, not a file: nothing to reload", KeySource.KEY_VARIABLE);
            return false;
        }
        return reloadIfChanged(true);
    }

    /**
     * Watches the key file's directory and reloads when the file's content changes, including when it is replaced
     * by a rename as Kubernetes does for secrets. Does nothing for fixed keys.
     *
     * @throws IOException if the directory cannot be watched
     */
    public synchronized void watch() throws IOException {
        if (file != null && watch == null) {
            watch = new KeyFileWatch(file, () -> reloadIfChanged(false));
        }
    }

    /** Stops watching the file. */
    @Override
    public synchronized void close() {
        if (watch != null) {
            watch.close();
            watch = null;
        }
    }

    @Override
    public String toString() {
        return "LiveKeyRing[" + (file == null ? KeySource.KEY_VARIABLE : file) + ", " + current.get() + "]";
    }

    private void load(String text) {
        KeyFile.warnIfOthersMayRead(file, warnings);
        current.set(KeyFile.parse(text, file.toString(), defaultIdentity, warnings));
        loadedDigest = digest(text);
    }

    private synchronized boolean reloadIfChanged(boolean asked) {
        KeyRing before = current.get();
        try {
            String text = KeyFile.readText(file);
            if (!asked && Arrays.equals(digest(text), loadedDigest)) {
                return false;
            }
            load(text);
        } catch (PresharedKeyException e) {
            LOG.warn("key file {} not reloaded, still using identities {}: {}", file, before.identities(),
                e.getMessage());
            return false;
        }
        KeyRing after = current.get();
        LOG.info("key file {} reloaded{}: offering '{}', accepting {}; open connections keep their keys", file,
            asked ? " on request" : " after a change", after.offered().identity(), after.identities());
        // Limitation: the replaced keys are left to the garbage collector, not wiped, because a handshake that
        // started before the reload may still read them.
        return true;
    }

    private static byte[] digest(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
