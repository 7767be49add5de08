package dev.ice.tunnel.tls;

import dev.ice.tunnel.ConnectionOutcome;

/**
 * Fired through the pipeline once the handshake has ended, either way.
 *
 * @param outcome {@link ConnectionOutcome#CLOSED} on success (the connection is open; it names how it will end if
 *     nothing goes wrong), or why the handshake failed
 * @param protocol the negotiated protocol on success, e.g. "TLSv1.3"
 * @param cipherSuite the negotiated suite on success
 * @param detail on failure, what was seen (an alert, the first byte)
 */
public record TlsHandshakeEvent(ConnectionOutcome outcome, String protocol, String cipherSuite, String detail) {

    static TlsHandshakeEvent success(String protocol, String cipherSuite) {
        return new TlsHandshakeEvent(ConnectionOutcome.CLOSED, protocol, cipherSuite, "");
    }

    static TlsHandshakeEvent failure(ConnectionOutcome outcome, String detail) {
        return new TlsHandshakeEvent(outcome, "", "", detail);
    }

    /** @return whether the handshake succeeded */
    public boolean isSuccess() {
        return outcome == ConnectionOutcome.CLOSED;
    }
}
