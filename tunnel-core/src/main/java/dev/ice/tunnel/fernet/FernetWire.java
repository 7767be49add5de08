package dev.ice.tunnel.fernet;

import dev.ice.tunnel.PeerStrategy;

/**
 * The fernet strategy's wire format.
 *
 * <pre>
 * each direction   preamble "ICEFRNT1" (8 bytes), then frames
 * client, first    identity length (1 byte), identity (UTF-8), then its hello frame
 * frame            token length (4 bytes, big-endian), then the Fernet token's bytes
 * refusal          a frame of length 0, then one reason byte; the server closes after it
 * </pre>
 *
 * The tokens, in order: the client's HELLO (its 16-byte nonce) and the server's HELLO (both nonces), sealed
 * with the hello key; then, under the session keys, the client's READY, DATA tokens each way, and one END per
 * direction. See {@link TokenSealer} for a token's plaintext.
 */
final class FernetWire {

    /** The preamble that opens each direction. */
    static final byte[] PREAMBLE = PeerStrategy.FERNET_PREAMBLE;

    /** The most application bytes one token carries: small enough to bound memory, large enough to amortise. */
    static final int MAX_PAYLOAD = 16 * 1024;

    /** Bytes of a nonce in a hello. */
    static final int NONCE_BYTES = 16;

    /** Bytes of a frame's length field. */
    static final int LENGTH_BYTES = 4;

    /** The smallest token: version, timestamp, IV, one AES block, HMAC. */
    static final int MIN_TOKEN_BYTES = tokenBytes(0);

    /** The largest token a peer may send; anything larger is refused before it is buffered. */
    static final int MAX_TOKEN_BYTES = tokenBytes(TokenSealer.HEADER_BYTES + MAX_PAYLOAD);

    /** Reason of a refusal: the client's identity is not among the server's keys. */
    static final byte REFUSED_UNKNOWN_IDENTITY = 1;

    /** Reason of a refusal: the client's hello does not verify under the server's key for its identity. */
    static final byte REFUSED_WRONG_KEY = 2;

    // Fernet: version (1) + timestamp (8) + IV (16) + ciphertext + HMAC (32); AES-CBC pads to a 16-byte block.
    private static final int TOKEN_FIXED_BYTES = 1 + 8 + 16 + 32;
    private static final int AES_BLOCK = 16;

    private FernetWire() {
    }

    /** @return the size of a token whose plaintext is this many bytes */
    static int tokenBytes(int plaintextBytes) {
        return TOKEN_FIXED_BYTES + (plaintextBytes / AES_BLOCK + 1) * AES_BLOCK;
    }
}
