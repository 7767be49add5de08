package dev.ice.tunnel.tls;

/**
 * How far a DTLS handshake got, to tell a wrong key from a silent peer when it times out.
 *
 * <p>DTLS drops a record that fails its MAC without a word (RFC 6347 §4.1.2.7), so a Finished sealed with another
 * key is never answered and both ends time out instead of getting an alert as TLS peers do. A server that saw the
 * client move to the encrypted epoch, or a client that got the server's hello, knows its peer was there and
 * talking: silence after that point means the keys differ.
 *
 * <p>Written by the flow's worker thread only.
 */
final class DtlsProgress {

    private boolean peerAnswered;
    private boolean peerEncrypted;

    /** The client got the server's hello. */
    void peerAnswered() {
        peerAnswered = true;
    }

    /** The server got a record of a later epoch than 0: the client sent its Finished. */
    void peerEncrypted() {
        peerEncrypted = true;
    }

    boolean hasPeerAnswered() {
        return peerAnswered;
    }

    boolean hasPeerEncrypted() {
        return peerEncrypted;
    }
}
