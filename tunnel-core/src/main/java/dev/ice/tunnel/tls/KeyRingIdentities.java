package dev.ice.tunnel.tls;

import java.util.Optional;

import org.bouncycastle.tls.TlsPSKIdentityManager;

import dev.ice.tunnel.key.KeyRing;
import dev.ice.tunnel.key.PresharedKey;

/**
 * The TLS 1.2 and DTLS 1.2 PSK view of a server's keys: the client names one identity, any key held under it is
 * accepted, and an identity the server does not hold is recorded as refused (the peer gets unknown_psk_identity,
 * RFC 4279 §2).
 */
record KeyRingIdentities(KeyRing keys, HandshakeObserver observer) implements TlsPSKIdentityManager {

    @Override
    public byte[] getHint() {
        return null;
    }

    @Override
    public byte[] getPSK(byte[] identity) {
        Optional<PresharedKey> held = keys.find(identity);
        if (held.isPresent()) {
            return held.get().keyBytes();
        }
        observer.identityRefused();
        return null;
    }
}
