package dev.ice.tunnel.interop;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;

import dev.ice.tunnel.Endpoint;
import dev.ice.tunnel.key.PresharedKey;
import dev.ice.tunnel.relay.ConnectionListener;
import dev.ice.tunnel.relay.Transport;
import dev.ice.tunnel.relay.Tunnel;
import dev.ice.tunnel.relay.TunnelConfig;
import dev.ice.tunnel.relay.TunnelMode;
import dev.ice.tunnel.tls.TlsPolicy;
import dev.ice.tunnel.tls.TlsPskContext;

/** What the interop tests share: keys, payloads and tunnels on loopback. */
final class Interop {

    /** Where OpenSSL's command line tool lives on the test machines (Debian's openssl package). */
    static final String OPENSSL = "/usr/bin/openssl";

    /** Where Debian's stunnel4 package puts stunnel 5. */
    static final String STUNNEL = "/usr/bin/stunnel4";

    /** The identity every peer is told to use; it is ICE's default. */
    static final String IDENTITY = PresharedKey.DEFAULT_IDENTITY;

    /** How long a step that should be quick (a handshake, a short exchange) may take on a busy machine. */
    static final Duration STEP = Duration.ofSeconds(10);

    /** TLS 1.2 enabled with its forward-secret suites, plain PSK still off. */
    static final TlsPolicy TLS12 = new TlsPolicy(true, false, TlsPolicy.DEFAULT_HANDSHAKE_TIMEOUT);

    private static final SecureRandom RANDOM = new SecureRandom();

    private Interop() {
    }

    /** @return a fresh random 32-byte key under {@link #IDENTITY} */
    static PresharedKey randomKey() {
        return new PresharedKey(IDENTITY, randomBytes(32));
    }

    /** @return the key as OpenSSL's -psk option takes it: hex digits, no prefix */
    static String hex(PresharedKey key) {
        return HexFormat.of().formatHex(key.keyBytes());
    }

    /** @return random bytes of every value, 0x00 and newlines included */
    static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /** @return random letters and digits */
    static String randomText(int length) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    /**
     * Starts a tunnel on a free loopback port.
     *
     * @param mode client (plaintext in, TLS out) or server (TLS in, plaintext out)
     * @param targetPort the loopback port each connection is carried to
     * @return the running tunnel; see {@link Tunnel#localAddress()} for its port
     */
    static Tunnel tunnel(TunnelMode mode, int targetPort, PresharedKey key, TlsPolicy policy,
            ConnectionListener listener, Transport transport) {
        TunnelConfig config = new TunnelConfig(mode, new Endpoint(Endpoint.LOOPBACK, 0),
            new Endpoint(Endpoint.LOOPBACK, targetPort), Duration.ZERO);
        return Tunnel.start(config, new TlsPskContext(key, policy), listener, transport);
    }
}
