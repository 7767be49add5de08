package dev.ice.tunnel.fernet;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

import com.macasaet.fernet.Key;

import dev.ice.tunnel.key.PresharedKey;

/**
 * The Fernet keys of one connection, derived from the pre-shared key with HKDF-SHA256 (RFC 5869).
 *
 * <ul>
 *   <li>The hello key seals the two hello tokens; it depends on the pre-shared key alone.</li>
 *   <li>Each direction has its own session key, salted with both sides' nonces, so tokens of one connection
 *       never verify in another, nor in the other direction.</li>
 * </ul>
 * A Fernet key is 32 bytes: 16 for HMAC-SHA256 signing, then 16 for AES-128 (the Fernet specification's order).
 */
final class FernetKeys {

    private static final int FERNET_KEY_BYTES = 32;
    private static final byte[] HELLO_SALT = "ice-fernet-v1".getBytes(StandardCharsets.US_ASCII);

    private FernetKeys() {
    }

    /** @return the key that seals both sides' hello tokens */
    static Key hello(PresharedKey psk) {
        return derive(psk, HELLO_SALT, "ice-fernet-v1 hello");
    }

    /**
     * @param psk the pre-shared key both sides hold
     * @param clientNonce the client's random hello nonce
     * @param serverNonce the server's random hello nonce
     * @param direction the direction the key seals
     * @return the session key of that direction
     */
    static Key session(PresharedKey psk, byte[] clientNonce, byte[] serverNonce, Direction direction) {
        byte[] salt = new byte[clientNonce.length + serverNonce.length];
        System.arraycopy(clientNonce, 0, salt, 0, clientNonce.length);
        System.arraycopy(serverNonce, 0, salt, clientNonce.length, serverNonce.length);
        return derive(psk, salt, "ice-fernet-v1 " + direction.label());
    }

    private static Key derive(PresharedKey psk, byte[] salt, String info) {
        byte[] ikm = psk.keyBytes();
        byte[] okm = new byte[FERNET_KEY_BYTES];
        try {
            HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
            hkdf.init(new HKDFParameters(ikm, salt, info.getBytes(StandardCharsets.US_ASCII)));
            hkdf.generateBytes(okm, 0, okm.length);
            return new Key(okm);
        } finally {
            Arrays.fill(ikm, (byte) 0);
            Arrays.fill(okm, (byte) 0);
        }
    }
}
