package dev.ice.tunnel.fernet;

import java.io.IOException;

import dev.ice.tunnel.ConnectionFailure;
import dev.ice.tunnel.ConnectionOutcome;

/** A fernet stream failed after its handshake, e.g. a token was tampered with; the relay resets both sides. */
public final class FernetFailureException extends IOException implements ConnectionFailure {

    private final transient ConnectionOutcome outcome;

    FernetFailureException(ConnectionOutcome outcome, String message) {
        super(message);
        this.outcome = outcome;
    }

    /** @return the outcome to record for the connection */
    @Override
    public ConnectionOutcome outcome() {
        return outcome;
    }
}
