package dev.ice.tunnel.fernet;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.temporal.TemporalAmount;
import java.util.Arrays;
import java.util.function.Function;

import com.macasaet.fernet.IllegalTokenException;
import com.macasaet.fernet.Key;
import com.macasaet.fernet.Token;
import com.macasaet.fernet.TokenValidationException;
import com.macasaet.fernet.Validator;

/**
 * Opens the tokens of one direction, in order: each must verify under the direction's key, carry the direction's
 * code, and hold the next sequence number. Anything else is rejected before a byte of it is used.
 */
final class TokenOpener {

    // Limitation: token timestamps are written but not checked, because hosts' clocks need not agree; freshness
    // comes from the per-connection nonces that salt the session keys instead.
    private static final Validator<byte[]> UNTIMED = new Validator<>() {
        private final Duration unlimited = Duration.ofDays(365L * 1000);

        @Override
        public TemporalAmount getTimeToLive() {
            return unlimited;
        }

        @Override
        public TemporalAmount getMaxClockSkew() {
            return unlimited;
        }

        @Override
        public Function<byte[], byte[]> getTransformer() {
            return Function.identity();
        }
    };

    private final Key key;
    private final Direction direction;
    private final String keyName;
    private long next;

    /**
     * @param keyName how messages name the key, e.g. "hello key"
     */
    TokenOpener(Key key, Direction direction, String keyName) {
        this.key = key;
        this.direction = direction;
        this.keyName = keyName;
    }

    /**
     * @param token a token's bytes as they came off the wire
     * @return its verified record
     * @throws TokenRejectedException if it is malformed, does not verify, or is out of place
     */
    Record open(byte[] token) throws TokenRejectedException {
        byte[] plain = verify(token);
        if (plain.length < TokenSealer.HEADER_BYTES) {
            throw new TokenRejectedException("token holds " + plain.length + " bytes, fewer than a header");
        }
        ByteBuffer header = ByteBuffer.wrap(plain);
        RecordType type = RecordType.of(header.get());
        if (type == null) {
            throw new TokenRejectedException(String.format("token has unknown type 0x%02x", plain[0]));
        }
        checkDirection(header.get());
        checkSequence(header.getLong());
        return new Record(type, Arrays.copyOfRange(plain, TokenSealer.HEADER_BYTES, plain.length));
    }

    private byte[] verify(byte[] bytes) throws TokenRejectedException {
        try {
            return Token.fromBytes(bytes).validateAndDecrypt(key, UNTIMED);
        } catch (IllegalTokenException e) {
            throw new TokenRejectedException("token of " + bytes.length + " bytes is malformed: " + e.getMessage());
        } catch (TokenValidationException e) {
            throw new TokenRejectedException("token does not verify under the " + direction.label() + " "
                + keyName + ": tampered with, reflected, or sealed with another key");
        }
    }

    private void checkDirection(byte code) throws TokenRejectedException {
        if (code != direction.code()) {
            throw new TokenRejectedException("token is labelled for the other direction: reflected back at its "
                + "sender");
        }
    }

    private void checkSequence(long sequence) throws TokenRejectedException {
        if (sequence != next) {
            throw new TokenRejectedException("token " + sequence + " arrived where " + next + " was expected: "
                + "reordered, replayed or dropped in transit");
        }
        next++;
    }
}
