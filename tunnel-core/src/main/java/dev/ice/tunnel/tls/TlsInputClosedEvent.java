package dev.ice.tunnel.tls;

/**
 * Fired through the pipeline when the TLS peer has finished sending.
 *
 * @param clean true if the peer sent close_notify first; false if TCP closed without it, so the data may have been
 *     cut short by an attacker or a crash (RFC 8446 §6.1)
 */
public record TlsInputClosedEvent(boolean clean) {
}
