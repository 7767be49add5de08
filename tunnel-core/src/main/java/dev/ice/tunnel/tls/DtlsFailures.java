package dev.ice.tunnel.tls;

import java.io.IOException;

import org.bouncycastle.tls.TlsTimeoutException;

import dev.ice.tunnel.ConnectionOutcome;

/** Names why a DTLS handshake failed, from the exception, the alerts seen and how far the handshake got. */
final class DtlsFailures {

    private DtlsFailures() {
    }

    static DtlsHandshakeException classify(IOException failure, HandshakeObserver observer, DtlsProgress progress,
            boolean client, DtlsPolicy policy) {
        if (failure instanceof TlsTimeoutException) {
            return timedOut(failure, progress, client, policy);
        }
        return new DtlsHandshakeException(observer.failureOutcome(), observer.alertDetail(), failure);
    }

    private static DtlsHandshakeException timedOut(IOException failure, DtlsProgress progress, boolean client,
            DtlsPolicy policy) {
        if (client && progress.hasPeerAnswered()) {
            return new DtlsHandshakeException(ConnectionOutcome.KEY_REJECTED_BY_PEER,
                "the server answered our hello, then never our Finished: its key differs", failure);
        }
        if (!client && progress.hasPeerEncrypted()) {
            return new DtlsHandshakeException(ConnectionOutcome.BAD_KEY,
                "the client's Finished never verified: its key differs", failure);
        }
        return new DtlsHandshakeException(ConnectionOutcome.HANDSHAKE_TIMEOUT,
            "no handshake within " + policy.handshakeTimeout().toMillis() + " ms", failure);
    }
}
