package dev.ice.tunnel.tls;

import java.io.IOException;

import dev.ice.tunnel.ConnectionOutcome;

/** A DTLS handshake failed; {@link #outcome()} says why in the terms of ICE's outcome catalogue. */
public final class DtlsHandshakeException extends IOException {

    private final transient ConnectionOutcome outcome;

    DtlsHandshakeException(ConnectionOutcome outcome, String message, Throwable cause) {
        super(message, cause);
        this.outcome = outcome;
    }

    /** @return the outcome to record for the flow */
    public ConnectionOutcome outcome() {
        return outcome;
    }
}
