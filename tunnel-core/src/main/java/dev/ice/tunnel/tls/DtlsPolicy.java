package dev.ice.tunnel.tls;

import java.time.Duration;

/**
 * Which cipher suites a DTLS 1.2 endpoint offers, and how long its handshake may take.
 *
 * <p>DTLS 1.2 (RFC 6347) is the only version: BouncyCastle 1.84 has no DTLS 1.3. By default ICE offers
 * TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256 (RFC 8442) first and TLS_DHE_PSK_WITH_AES_128_GCM_SHA256 (RFC 5487) second;
 * both give forward secrecy, and OpenSSL 3.0 speaks the second.
 *
 * @param unsafePlainPsk also offer TLS_PSK_WITH_AES_128_GCM_SHA256, which has no forward secrecy: a key that leaks
 *     later decrypts recorded traffic. Only for peers that can do nothing else
 * @param handshakeTimeout how long a handshake may take, retransmissions included, before the flow is dropped
 */
public record DtlsPolicy(boolean unsafePlainPsk, Duration handshakeTimeout) {

    /** The handshake timeout when none is configured, as for TLS. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = TlsPolicy.DEFAULT_HANDSHAKE_TIMEOUT;

    /** Forward-secret suites only, with the default handshake timeout. */
    public static final DtlsPolicy DEFAULT = new DtlsPolicy(false, DEFAULT_HANDSHAKE_TIMEOUT);

    /** Checks the timeout. */
    public DtlsPolicy {
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()
            || handshakeTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("DTLS handshake timeout must be positive and under 24 days, got "
                + handshakeTimeout);
        }
    }

    /** @return the timeout in milliseconds, as BouncyCastle takes it */
    int handshakeTimeoutMillis() {
        return (int) handshakeTimeout.toMillis();
    }
}
