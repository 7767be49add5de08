package dev.ice.tunnel.proxy;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;

/**
 * Tells from the first bytes of a stream whether it opens with a PROXY protocol header, so that the header is
 * told apart from a TLS record (which opens with 0x16) after one byte in practice.
 */
enum ProxySignature {
    /** The bytes so far open neither signature: the stream has no header. */
    NONE,
    /** The bytes so far are the start of a signature: more are needed to tell. */
    INCOMPLETE,
    /** A whole signature is there: a header follows, for Netty's decoder to read. */
    HEADER;

    // The PROXY protocol specification: v1 opens with "PROXY" and a space (section 2.1), v2 with this 12-byte
    // signature (section 2.2).
    private static final byte[] V1 = "PROXY ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] V2 = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    /**
     * @param start the stream's first bytes, not consumed
     * @return what they show
     */
    static ProxySignature of(ByteBuf start) {
        ProxySignature v1 = match(start, V1);
        ProxySignature v2 = match(start, V2);
        if (v1 == HEADER || v2 == HEADER) {
            return HEADER;
        }
        return v1 == INCOMPLETE || v2 == INCOMPLETE ? INCOMPLETE : NONE;
    }

    private static ProxySignature match(ByteBuf start, byte[] signature) {
        int available = Math.min(start.readableBytes(), signature.length);
        for (int i = 0; i < available; i++) {
            if (start.getByte(start.readerIndex() + i) != signature[i]) {
                return NONE;
            }
        }
        return available == signature.length ? HEADER : INCOMPLETE;
    }
}
