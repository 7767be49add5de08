package dev.ice.tunnel.tls;

import java.time.Duration;

/**
 * Which TLS versions and cipher suites an endpoint offers, and how long a handshake may take.
 *
 * <p>TLS 1.3 with an external PSK in psk_dhe_ke mode (RFC 8446 §4.2.9) is always on: every connection gets an
 * (EC)DHE exchange and so forward secrecy. TLS 1.2 is off unless a peer needs it.
 *
 * @param tls12 also offer TLS 1.2 with the ECDHE_PSK and DHE_PSK AES-GCM suites (RFC 5489, RFC 8442, RFC 5487)
 * @param unsafeTls12PlainPsk with {@code tls12}, also offer the plain PSK suites, which have no forward secrecy
 * @param handshakeTimeout how long a handshake may take before the connection is dropped
 */
public record TlsPolicy(boolean tls12, boolean unsafeTls12PlainPsk, Duration handshakeTimeout) {

    /** The handshake timeout when none is configured. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    /** TLS 1.3 only, with the default handshake timeout. */
    public static final TlsPolicy DEFAULT = new TlsPolicy(false, false, DEFAULT_HANDSHAKE_TIMEOUT);

    /** Checks that the settings make sense together. */
    public TlsPolicy {
        if (unsafeTls12PlainPsk && !tls12) {
            throw new IllegalArgumentException("plain PSK suites are TLS 1.2 suites: enable TLS 1.2 as well");
        }
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("handshake timeout must be positive, got " + handshakeTimeout);
        }
    }
}
