package dev.ice.tunnel.tls;

import java.io.IOException;
import java.util.Vector;

import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.BasicTlsPSKExternal;
import org.bouncycastle.tls.BasicTlsPSKIdentity;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.PRFAlgorithm;
import org.bouncycastle.tls.PSKTlsClient;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsPSK;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCrypto;

import dev.ice.tunnel.key.PresharedKey;

/**
 * The client side of ICE's TLS: an external PSK under TLS 1.3, and the same key as a TLS 1.2 PSK identity when the
 * policy allows TLS 1.2. No certificate is ever sent or accepted.
 */
final class IceTlsClient extends PSKTlsClient {

    private final PresharedKey key;
    private final TlsPolicy policy;
    private final HandshakeObserver observer;

    IceTlsClient(TlsCrypto crypto, PresharedKey key, TlsPolicy policy, HandshakeObserver observer) {
        super(crypto, new BasicTlsPSKIdentity(key.identityBytes(), key.keyBytes()));
        this.key = key;
        this.policy = policy;
        this.observer = observer;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return policy.tls12() ? ProtocolVersion.TLSv13.downTo(ProtocolVersion.TLSv12) : ProtocolVersion.TLSv13.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        return CipherSuites.offered(getCrypto(), policy);
    }

    // X25519 first (one round trip with OpenSSL and stunnel); P-256 for peers that only do NIST curves. DHE_PSK in
    // TLS 1.2 takes its group from the server.
    @Override
    protected Vector getSupportedGroups(Vector namedGroupRoles) {
        Vector groups = new Vector();
        TlsUtils.addIfSupported(groups, getCrypto(), new int[] {NamedGroup.x25519, NamedGroup.secp256r1});
        if (policy.tls12()) {
            TlsUtils.addIfSupported(groups, getCrypto(), new int[] {NamedGroup.ffdhe2048, NamedGroup.ffdhe3072});
        }
        return groups;
    }

    @Override
    public Vector getExternalPSKs() {
        BasicTlsPSKExternal psk = new BasicTlsPSKExternal(key.identityBytes(),
            getCrypto().createSecret(key.keyBytes()), PRFAlgorithm.tls13_hkdf_sha256);
        return TlsUtils.vectorOfOne(psk);
    }

    // Without this a TLS 1.3 server that ignores our PSK would move on to certificate authentication.
    @Override
    public void notifySelectedPSK(TlsPSK selectedPSK) throws IOException {
        if (selectedPSK == null) {
            observer.identityRefused();
            throw new TlsFatalAlert(AlertDescription.handshake_failure, "server did not accept the PSK");
        }
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
