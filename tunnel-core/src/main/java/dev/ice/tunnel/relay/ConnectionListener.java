package dev.ice.tunnel.relay;

import dev.ice.tunnel.ConnectionOutcome;

/** Told when a tunnel's connections open and close, for the demo and tests now and metrics later. */
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
}
