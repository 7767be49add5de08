package dev.ice.tunnel.tls;

import java.io.IOException;

import dev.ice.tunnel.ConnectionFailure;
import dev.ice.tunnel.ConnectionOutcome;

/** A TLS connection failed after its handshake: a record did not verify, or the peer sent a fatal alert. */
public final class TlsFailureException extends IOException implements ConnectionFailure {

    private final transient ConnectionOutcome outcome;

    TlsFailureException(ConnectionOutcome outcome, String message, Throwable cause) {
        super(message, cause);
        this.outcome = outcome;
    }

    /** @return the outcome to record for the connection */
    @Override
    public ConnectionOutcome outcome() {
        return outcome;
    }
}
