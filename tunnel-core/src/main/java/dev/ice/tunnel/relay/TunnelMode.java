package dev.ice.tunnel.relay;

/** Which side of the tunnel speaks TLS. */
public enum TunnelMode {
    /** Plaintext is accepted and carried out over TLS-PSK to the connect target. */
    CLIENT,
    /** TLS-PSK is accepted and carried out as plaintext to the forward target. */
    SERVER
}
