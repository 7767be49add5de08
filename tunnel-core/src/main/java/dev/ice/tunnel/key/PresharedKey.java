package dev.ice.tunnel.key;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A TLS external pre-shared key (RFC 8446 §4.2.11) and the identity it is offered under.
 *
 * <p>Members of one trust plane hold the same identity and key. The key bytes are copied in and out so that no
 * caller can change them behind this object's back, and {@link #toString()} never shows them.
 */
public final class PresharedKey {

    /** The identity ICE offers when none is configured, as stunnel and OpenSSL peers are told with -psk_identity. */
    public static final String DEFAULT_IDENTITY = "ice";

    /** Shorter keys give too little security margin; RFC 9257 §6 asks for at least 128 bits of entropy. */
    public static final int MINIMUM_KEY_BYTES = 16;

    private final String identity;
    private final byte[] key;

    /**
     * @param identity the PSK identity, sent in clear in the ClientHello
     * @param key the raw key, at least {@value #MINIMUM_KEY_BYTES} bytes
     */
    public PresharedKey(String identity, byte[] key) {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(key, "key");
        if (identity.isEmpty() || identity.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new PresharedKeyException(
                "PSK identity must be 1-255 bytes of UTF-8; set ICE_PSK_IDENTITY to a short name such as 'ice'");
        }
        if (key.length < MINIMUM_KEY_BYTES) {
            throw new PresharedKeyException("the raw key has " + key.length + " bytes; at least "
                + MINIMUM_KEY_BYTES + " are needed. Generate one with 'icetunnel key generate'");
        }
        this.identity = identity;
        this.key = key.clone();
    }

    /** @return the identity, as offered on the wire */
    public String identity() {
        return identity;
    }

    /** @return the identity's UTF-8 bytes */
    public byte[] identityBytes() {
        return identity.getBytes(StandardCharsets.UTF_8);
    }

    /** @return a copy of the raw key; the caller should wipe it after use */
    public byte[] keyBytes() {
        return key.clone();
    }

    /** @return the raw key's length in bytes */
    public int keyLength() {
        return key.length;
    }

    /** Overwrites the key in memory. The object must not be used afterwards. */
    public void destroy() {
        Arrays.fill(key, (byte) 0);
    }

    @Override
    public String toString() {
        return "PresharedKey[identity=" + identity + ", " + key.length + " bytes]";
    }
}
