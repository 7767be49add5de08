package dev.ice.tunnel.key;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The keys one member of a trust plane holds: the first is the one it offers as a client, and a server accepts any
 * of them. This is what lets a fleet rotate its key without a moment when two members disagree.
 *
 * <p>Each key has its own identity, because a TLS 1.3 server picks the key by the identity the client offers
 * (RFC 8446 §4.2.11) before it can check which key the client holds. Immutable; {@link #toString()} shows the
 * identities only.
 */
public final class KeyRing {

    private final List<PresharedKey> keys;

    private KeyRing(List<PresharedKey> keys) {
        this.keys = keys;
    }

    /**
     * @param keys the keys, the one to offer first
     * @return the ring
     * @throws PresharedKeyException if there is no key or two keys share an identity
     */
    public static KeyRing of(List<PresharedKey> keys) {
        if (keys.isEmpty()) {
            throw new PresharedKeyException("a key ring needs at least one key");
        }
        for (int i = 1; i < keys.size(); i++) {
            String identity = keys.get(i).identity();
            if (keys.subList(0, i).stream().anyMatch(earlier -> earlier.identity().equals(identity))) {
                throw new PresharedKeyException("identity '" + identity + "' is given to two keys; give each key "
                    + "its own identity, e.g. " + identity + "-2");
            }
        }
        return new KeyRing(List.copyOf(keys));
    }

    /**
     * @param key the only key
     * @return a ring that offers and accepts that key alone
     */
    public static KeyRing of(PresharedKey key) {
        return new KeyRing(List.of(key));
    }

    /** @return the key a client offers: the first */
    public PresharedKey offered() {
        return keys.getFirst();
    }

    /**
     * @param identity an identity a peer offered, as raw bytes from the wire
     * @return the key held under that identity, if any
     */
    public Optional<PresharedKey> find(byte[] identity) {
        return keys.stream().filter(key -> Arrays.equals(key.identityBytes(), identity)).findFirst();
    }

    /** @return every key, the offered one first */
    public List<PresharedKey> keys() {
        return keys;
    }

    /** @return the identities in order, for logs */
    public List<String> identities() {
        return keys.stream().map(PresharedKey::identity).toList();
    }

    /** Overwrites every key in memory; the ring must not be used afterwards. */
    public void destroy() {
        keys.forEach(PresharedKey::destroy);
    }

    @Override
    public String toString() {
        return "KeyRing" + identities();
    }
}
