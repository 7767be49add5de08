package dev.ice.tunnel.fernet;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.function.Supplier;

import dev.ice.tunnel.CryptoStrategy;
import dev.ice.tunnel.key.KeyRing;

/**
 * Makes fernet handlers for one trust plane: the {@code fernet} crypto strategy, a stream of Fernet tokens under
 * keys derived from the pre-shared key.
 *
 * <p>Each handler takes the key ring current when it is made: a client offers the first key, a server accepts any.
 * Its limits against the {@code ice} strategy (TLS 1.3): no forward secrecy, since every key derives from the
 * pre-shared key and public nonces, so a key that leaks later decrypts recorded traffic; and about 72 to 87 bytes of
 * framing, header, padding and MAC per token of up to 16 KiB.
 */
public final class FernetContext implements CryptoStrategy {

    private final Supplier<KeyRing> keys;
    private final Duration handshakeTimeout;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param keys the keys for each new connection
     * @param handshakeTimeout how long the handshake may take before the connection is dropped
     */
    public FernetContext(Supplier<KeyRing> keys, Duration handshakeTimeout) {
        this.keys = keys;
        this.handshakeTimeout = handshakeTimeout;
    }

    @Override
    public FernetHandler newClientHandler() {
        return new FernetHandler(true, keys.get(), random, handshakeTimeout.toMillis());
    }

    @Override
    public FernetHandler newServerHandler() {
        return new FernetHandler(false, keys.get(), random, handshakeTimeout.toMillis());
    }
}
