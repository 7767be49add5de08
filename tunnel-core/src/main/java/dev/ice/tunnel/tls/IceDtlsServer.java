package dev.ice.tunnel.tls;

import java.io.IOException;
import java.util.function.Supplier;

import org.bouncycastle.tls.HeartbeatMode;
import org.bouncycastle.tls.PSKTlsServer;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.crypto.TlsCrypto;

import dev.ice.tunnel.key.KeyRing;
import dev.ice.tunnel.key.PresharedKey;

/**
 * The server side of ICE's DTLS 1.2: it accepts a client that offers the trust plane's identity and proves the key
 * in its Finished, and nobody else. No certificate is ever sent or asked for.
 *
 * <p>When the client offers RFC 9146 connection IDs, the server hands it one to put on every record it sends.
 */
final class IceDtlsServer extends PSKTlsServer {

    private final DtlsPolicy policy;
    private final HandshakeObserver observer;
    private final Supplier<byte[]> connectionIds;

    /**
     * @param connectionIds issues a connection ID for this flow, unique among the listener's flows; null to use none
     */
    IceDtlsServer(TlsCrypto crypto, PresharedKey key, DtlsPolicy policy, HandshakeObserver observer,
            Supplier<byte[]> connectionIds) {
        super(crypto, new KeyRingIdentities(KeyRing.of(key), observer));
        this.policy = policy;
        this.observer = observer;
        this.connectionIds = connectionIds;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return ProtocolVersion.DTLSv12.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        return DtlsCipherSuites.offered(getCrypto(), policy);
    }

    // Answer a client's heartbeats (RFC 6520), so that it can tell this server is still there; send none.
    @Override
    public short getHeartbeatPolicy() {
        return HeartbeatMode.peer_allowed_to_send;
    }

    @Override
    protected byte[] getNewConnectionID() {
        return connectionIds == null ? null : connectionIds.get();
    }

    @Override
    public int getHandshakeTimeoutMillis() {
        return policy.handshakeTimeoutMillis();
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
