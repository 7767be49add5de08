package dev.ice.tunnel.tls;

import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCrypto;

/**
 * The DTLS 1.2 suites ICE offers, in order of preference. All are AES-128-GCM with SHA-256, the PSK's hash.
 *
 * <p>OpenSSL 3.0 has ECDHE_PSK only with ChaCha20 or CBC, so against OpenSSL the DHE_PSK suite is the one agreed;
 * between two ICE ends it is ECDHE_PSK, whose X25519 exchange is cheaper than DHE's 2048-bit one.
 */
final class DtlsCipherSuites {

    private static final int[] FORWARD_SECRET = {
        CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_DHE_PSK_WITH_AES_128_GCM_SHA256,
    };

    private static final int[] FORWARD_SECRET_THEN_PLAIN = {
        CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_DHE_PSK_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256,
    };

    private DtlsCipherSuites() {
    }

    /** @return the suites to offer under the policy, those the crypto cannot do left out */
    static int[] offered(TlsCrypto crypto, DtlsPolicy policy) {
        return TlsUtils.getSupportedCipherSuites(crypto,
            policy.unsafePlainPsk() ? FORWARD_SECRET_THEN_PLAIN : FORWARD_SECRET);
    }
}
