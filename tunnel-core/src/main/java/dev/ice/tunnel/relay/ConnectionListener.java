package dev.ice.tunnel.relay;

import dev.ice.tunnel.ConnectionOutcome;

/**
 * Told when a tunnel's connections (or UDP flows) open and close, for the demo and tests now and metrics later.
 */
public interface ConnectionListener {

    /** A listener that ignores everything. */
    ConnectionListener NONE = new ConnectionListener() { };

    /**
     * A connection's TLS handshake succeeded and data can flow.
     *
     * @param protocol the negotiated protocol, e.g. "TLSv1.3"
     * @param cipherSuite the negotiated suite's IANA name
     */
    default void connectionOpened(String protocol, String cipherSuite) {
    }

    /**
     * A connection ended, whether or not it ever opened.
     *
     * @param outcome how it ended
     * @param bytesUp plaintext bytes carried from the accepted side toward the target
     * @param bytesDown plaintext bytes carried back
     */
    default void connectionClosed(ConnectionOutcome outcome, long bytesUp, long bytesDown) {
    }

    /**
     * A UDP tunnel dropped a datagram instead of carrying it; each drop is also counted in its flow's close line.
     *
     * @param reason why, e.g. {@link ConnectionOutcome#DATAGRAM_TOO_LARGE}
     * @param bytes the datagram's size as read (a datagram larger than the read buffer shows as the buffer's size)
     */
    default void datagramDropped(ConnectionOutcome reason, int bytes) {
    }
}
