package dev.ice.tunnel.tls;

import java.util.Map;

import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCrypto;

/** The cipher suites ICE offers, and their IANA names for logs. */
final class CipherSuites {

    // An external PSK carries one hash (SHA-256 here, as OpenSSL and stunnel use), and RFC 8446 §4.2.11 lets it be
    // used only with suites of that hash: TLS_AES_256_GCM_SHA384 cannot be negotiated with such a key.
    private static final int[] TLS13 = {CipherSuite.TLS_AES_128_GCM_SHA256};

    private static final int[] TLS12_FORWARD_SECRET = {
        CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_DHE_PSK_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_DHE_PSK_WITH_AES_256_GCM_SHA384,
    };

    private static final int[] TLS12_PLAIN_PSK = {
        CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_PSK_WITH_AES_256_GCM_SHA384,
    };

    private static final Map<Integer, String> NAMES = Map.of(
        CipherSuite.TLS_AES_128_GCM_SHA256, "TLS_AES_128_GCM_SHA256",
        CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256, "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256",
        CipherSuite.TLS_DHE_PSK_WITH_AES_128_GCM_SHA256, "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256",
        CipherSuite.TLS_DHE_PSK_WITH_AES_256_GCM_SHA384, "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384",
        CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256, "TLS_PSK_WITH_AES_128_GCM_SHA256",
        CipherSuite.TLS_PSK_WITH_AES_256_GCM_SHA384, "TLS_PSK_WITH_AES_256_GCM_SHA384");

    private CipherSuites() {
    }

    /** @return the suites to offer under the policy, those the crypto cannot do left out */
    static int[] offered(TlsCrypto crypto, TlsPolicy policy) {
        int[] suites = TLS13;
        if (policy.tls12()) {
            suites = concat(suites, TLS12_FORWARD_SECRET);
        }
        if (policy.unsafeTls12PlainPsk()) {
            suites = concat(suites, TLS12_PLAIN_PSK);
        }
        return TlsUtils.getSupportedCipherSuites(crypto, suites);
    }

    /** @return the IANA name of a suite ICE offers, or its number in hex */
    static String name(int suite) {
        return NAMES.getOrDefault(suite, String.format("0x%04X", suite));
    }

    private static int[] concat(int[] a, int[] b) {
        int[] all = new int[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
