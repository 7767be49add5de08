package dev.ice.tunnel.fernet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;

import com.macasaet.fernet.Key;
import com.macasaet.fernet.Token;

/**
 * Seals records of one direction into Fernet tokens, numbering them from 0.
 *
 * <p>A token's plaintext is its record type (1 byte), the direction's code (1 byte), its sequence number (8 bytes,
 * big-endian) and the payload. Fernet adds the version byte 0x80, a timestamp, a random IV, AES-128-CBC with PKCS#7
 * padding and an HMAC-SHA256 over all of it.
 */
final class TokenSealer {

    /** Type, direction and sequence number, ahead of the payload in every token's plaintext. */
    static final int HEADER_BYTES = 10;

    private final Key key;
    private final Direction direction;
    private final SecureRandom random;
    private long next;

    TokenSealer(Key key, Direction direction, SecureRandom random) {
        this.key = key;
        this.direction = direction;
        this.random = random;
    }

    /**
     * @return the token's bytes (the Fernet token before its base64url text encoding)
     */
    byte[] seal(RecordType type, byte[] payload, int offset, int length) {
        ByteBuffer plain = ByteBuffer.allocate(HEADER_BYTES + length)
            .put(type.code())
            .put(direction.code())
            .putLong(next++)
            .put(payload, offset, length);
        Token token = Token.generate(random, key, plain.array());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(FernetWire.tokenBytes(plain.capacity()));
        try {
            token.writeTo(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("a byte array stream cannot fail", e);
        }
        return bytes.toByteArray();
    }

    /** @return a token of a record with no payload */
    byte[] seal(RecordType type) {
        return seal(type, new byte[0], 0, 0);
    }
}
