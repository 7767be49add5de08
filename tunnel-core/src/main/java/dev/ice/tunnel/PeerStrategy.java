package dev.ice.tunnel;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import io.netty.buffer.ByteBuf;

/**
 * Recognises, from the first bytes a peer sends, that it uses the other crypto strategy, so that a mismatch is
 * logged as such rather than as garbage.
 */
public final class PeerStrategy {

    /** The bytes that open each direction of a fernet stream. */
    public static final byte[] FERNET_PREAMBLE = "ICEFRNT1".getBytes(StandardCharsets.US_ASCII);

    // RFC 8446 §5.1: a record of type handshake(22) or alert(21), then the legacy version's major byte 3.
    private static final byte TLS_HANDSHAKE = 22;
    private static final byte TLS_ALERT = 21;
    private static final byte TLS_MAJOR_VERSION = 3;

    // A one-byte match proves little; four bytes of the preamble are no accident.
    private static final int RECOGNISED_PREFIX = 4;

    private PeerStrategy() {
    }

    /**
     * @param first the first bytes the peer sent, not consumed
     * @return a phrase naming the other strategy, if the bytes are recognised as one
     */
    public static Optional<String> recognise(ByteBuf first) {
        if (first.readableBytes() >= RECOGNISED_PREFIX && opensFernet(first)) {
            return Optional.of("the peer speaks fernet (ICE_CRYPTO_STRATEGY=fernet)");
        }
        if (opensTls(first)) {
            return Optional.of("the peer speaks TLS (ICE_CRYPTO_STRATEGY=ice)");
        }
        return Optional.empty();
    }

    /**
     * @param first the first bytes the peer sent, not consumed
     * @return whether they open a fernet stream, as far as they go
     */
    public static boolean opensFernet(ByteBuf first) {
        int length = Math.min(first.readableBytes(), FERNET_PREAMBLE.length);
        if (length == 0) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (first.getByte(first.readerIndex() + i) != FERNET_PREAMBLE[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean opensTls(ByteBuf first) {
        if (first.readableBytes() < 2) {
            return false;
        }
        byte type = first.getByte(first.readerIndex());
        return (type == TLS_HANDSHAKE || type == TLS_ALERT)
            && first.getByte(first.readerIndex() + 1) == TLS_MAJOR_VERSION;
    }
}
