package dev.ice.tunnel.udp;

/** Reads the DTLS record header of a datagram's first record (RFC 6347 §4.1), without decrypting anything. */
final class Records {

    private static final int HANDSHAKE = 22;
    private static final int CLIENT_HELLO = 1;
    private static final int HEADER = 13;

    private Records() {
    }

    /** @return whether the datagram opens with a ClientHello in epoch 0, i.e. a peer starting a handshake */
    static boolean isClientHello(byte[] datagram) {
        return datagram.length > HEADER && datagram[0] == HANDSHAKE && datagram[3] == 0 && datagram[4] == 0
            && datagram[HEADER] == CLIENT_HELLO;
    }
}
