package dev.ice.tunnel.tls;

import java.io.IOException;
import java.util.Optional;
import java.util.Vector;

import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.BasicTlsPSKExternal;
import org.bouncycastle.tls.PRFAlgorithm;
import org.bouncycastle.tls.PSKTlsServer;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.PskIdentity;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsPSKExternal;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCrypto;

import dev.ice.tunnel.key.KeyRing;
import dev.ice.tunnel.key.PresharedKey;

/**
 * The server side of ICE's TLS: it accepts a client that offers one of the identities in the server's key ring
 * and proves it holds that identity's key, and nobody else. No certificate is ever sent or asked for.
 */
final class IceTlsServer extends PSKTlsServer {

    private final KeyRing keys;
    private final TlsPolicy policy;
    private final HandshakeObserver observer;
    private boolean pskAccepted;

    IceTlsServer(TlsCrypto crypto, KeyRing keys, TlsPolicy policy, HandshakeObserver observer) {
        super(crypto, new KeyRingIdentities(keys, observer));
        this.keys = keys;
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

    // BouncyCastle lets a server pick one of the offered identities; the client proves it holds that key with the
    // binder afterwards. Offered identities are tried in the client's order against every key the server holds.
    @Override
    public TlsPSKExternal getExternalPSK(Vector identities) {
        for (Object offered : identities) {
            // The ticket age is meaningless for external PSKs (RFC 8446 §4.2.11): compare identities only.
            Optional<PresharedKey> held = keys.find(((PskIdentity) offered).getIdentity());
            if (held.isPresent()) {
                pskAccepted = true;
                return new BasicTlsPSKExternal(held.get().identityBytes(),
                    getCrypto().createSecret(held.get().keyBytes()), PRFAlgorithm.tls13_hkdf_sha256);
            }
        }
        observer.identityRefused();
        return null;
    }

    // TLS 1.3 without an accepted PSK would need a certificate, which ICE never has, so the handshake ends here.
    // Returning null would make BouncyCastle send internal_error, as if ICE had failed; RFC 8446 §6.2 names the
    // real reason. With a PSK accepted, BouncyCastle asks only to answer a server_certificate_type extension
    // (RFC 7250), where null means no certificate.
    @Override
    public TlsCredentials getCredentials() throws IOException {
        if (!TlsUtils.isTLSv13(context)) {
            return super.getCredentials();
        }
        if (pskAccepted) {
            return null;
        }
        throw new TlsFatalAlert(AlertDescription.unknown_psk_identity, "the client offered no PSK this server knows");
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
