package dev.ice.tunnel.tls;

import java.io.IOException;
import java.util.Vector;

import org.bouncycastle.tls.BasicTlsPSKIdentity;
import org.bouncycastle.tls.DefaultTlsHeartbeat;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.PSKTlsClient;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsHeartbeat;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCrypto;

import dev.ice.tunnel.key.PresharedKey;

/**
 * The client side of ICE's DTLS 1.2: the trust plane's key as a PSK identity, no certificate ever.
 *
 * <p>It offers an empty connection ID (RFC 9146 §3): the server may give us an ID to put on the records we send,
 * so that it finds our flow when a NAT changes our address, while the records it sends us carry none, since each
 * client flow has a socket of its own.
 *
 * <p>It sends a heartbeat request (RFC 6520) every heartbeat interval when the server agrees to answer, and fails
 * the session when none is answered within another interval: the way a client learns that its server restarted
 * and forgot the session, since DTLS 1.2 has no stateless reset. OpenSSL 3.0 has no heartbeats and does not agree,
 * so against it there are none.
 */
final class IceDtlsClient extends PSKTlsClient {

    private static final byte[] NO_CONNECTION_ID_FOR_US = new byte[0];

    private final DtlsPolicy policy;
    private final HandshakeObserver observer;
    private final DtlsProgress progress;
    private final int heartbeatMillis;

    /** @param heartbeatMillis the heartbeat interval, and how long a heartbeat may go unanswered; 0 for none */
    IceDtlsClient(TlsCrypto crypto, PresharedKey key, DtlsPolicy policy, HandshakeObserver observer,
            DtlsProgress progress, int heartbeatMillis) {
        super(crypto, new BasicTlsPSKIdentity(key.identityBytes(), key.keyBytes()));
        this.policy = policy;
        this.observer = observer;
        this.progress = progress;
        this.heartbeatMillis = heartbeatMillis;
    }

    @Override
    public TlsHeartbeat getHeartbeat() {
        return heartbeatMillis > 0 ? new DefaultTlsHeartbeat(heartbeatMillis, heartbeatMillis) : null;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return ProtocolVersion.DTLSv12.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        return DtlsCipherSuites.offered(getCrypto(), policy);
    }

    // X25519 first, P-256 for peers with NIST curves only; the ffdhe groups tell a DHE_PSK server what we accept.
    @Override
    protected Vector getSupportedGroups(Vector namedGroupRoles) {
        Vector groups = new Vector();
        TlsUtils.addIfSupported(groups, getCrypto(), new int[] {NamedGroup.x25519, NamedGroup.secp256r1,
            NamedGroup.ffdhe2048, NamedGroup.ffdhe3072});
        return groups;
    }

    @Override
    protected byte[] getNewConnectionID() {
        return NO_CONNECTION_ID_FOR_US;
    }

    @Override
    public int getHandshakeTimeoutMillis() {
        return policy.handshakeTimeoutMillis();
    }

    @Override
    public void notifyServerVersion(ProtocolVersion serverVersion) throws IOException {
        super.notifyServerVersion(serverVersion);
        progress.peerAnswered();
    }

    @Override
    public void notifyAlertRaised(short level, short description, String message, Throwable cause) {
        observer.alertRaised(level, description);
    }

    @Override
    public void notifyAlertReceived(short level, short description) {
        observer.alertReceived(level, description);
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        observer.handshakeComplete(context);
    }
}
