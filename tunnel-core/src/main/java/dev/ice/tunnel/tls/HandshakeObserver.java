package dev.ice.tunnel.tls;

import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SecurityParameters;
import org.bouncycastle.tls.TlsContext;

import dev.ice.tunnel.ConnectionOutcome;

/**
 * What BouncyCastle's peer callbacks reported about one connection, read by {@link TlsPskHandler} to name the
 * outcome of a handshake.
 */
final class HandshakeObserver {

    private final boolean client;
    private boolean complete;
    private boolean identityRefused;
    private short alertRaised = -1;
    private short alertReceived = -1;
    private String protocol = "";
    private String cipherSuite = "";

    HandshakeObserver(boolean client) {
        this.client = client;
    }

    void handshakeComplete(TlsContext context) {
        SecurityParameters parameters = context.getSecurityParametersConnection();
        ProtocolVersion version = parameters.getNegotiatedVersion();
        protocol = version.getName().replace(" ", "v");
        cipherSuite = CipherSuites.name(parameters.getCipherSuite());
        complete = true;
    }

    /** The server found none of the offered identities, or (client side) selected no PSK of ours. */
    void identityRefused() {
        identityRefused = true;
    }

    void alertRaised(short level, short description) {
        if (level == AlertLevel.fatal && alertRaised < 0) {
            alertRaised = description;
        }
    }

    void alertReceived(short level, short description) {
        if (level == AlertLevel.fatal && alertReceived < 0) {
            alertReceived = description;
        }
    }

    boolean isComplete() {
        return complete;
    }

    /** @return whether this is the client's side of the handshake */
    boolean isClient() {
        return client;
    }

    /** @return the negotiated protocol, e.g. "TLSv1.3", once complete */
    String protocol() {
        return protocol;
    }

    /** @return the negotiated suite's IANA name, once complete */
    String cipherSuite() {
        return cipherSuite;
    }

    /** @return why the handshake failed, judged from the alerts seen so far */
    ConnectionOutcome failureOutcome() {
        if (identityRefused || alertRaised == AlertDescription.unknown_psk_identity) {
            return client ? ConnectionOutcome.KEY_REJECTED_BY_PEER : ConnectionOutcome.UNKNOWN_IDENTITY;
        }
        if (alertReceived == AlertDescription.unknown_psk_identity) {
            return ConnectionOutcome.KEY_REJECTED_BY_PEER;
        }
        if (isKeyMismatch(alertRaised)) {
            return client ? ConnectionOutcome.KEY_REJECTED_BY_PEER : ConnectionOutcome.BAD_KEY;
        }
        if (isKeyMismatch(alertReceived)) {
            return client ? ConnectionOutcome.KEY_REJECTED_BY_PEER : ConnectionOutcome.BAD_KEY;
        }
        // OpenSSL 1.1.1 to 3.0 (and so stunnel on them) answer a PSK binder that does not verify with
        // illegal_parameter; ICE's own ClientHello is well formed, so the key is what differs.
        if (client && alertReceived == AlertDescription.illegal_parameter) {
            return ConnectionOutcome.KEY_REJECTED_BY_PEER;
        }
        return ConnectionOutcome.TLS_ERROR;
    }

    /** @return the fatal alert behind a failure, for the log */
    String alertDetail() {
        if (alertRaised >= 0) {
            return "sent alert " + AlertDescription.getName(alertRaised);
        }
        if (alertReceived >= 0) {
            return "received alert " + AlertDescription.getName(alertReceived);
        }
        return "no alert";
    }

    // A PSK binder or Finished that does not verify (RFC 8446 §4.2.11, §4.4.4) means the two sides' keys differ;
    // in TLS 1.2 the first record under the wrong key fails its MAC instead.
    private static boolean isKeyMismatch(short description) {
        return description == AlertDescription.decrypt_error || description == AlertDescription.bad_record_mac;
    }
}
