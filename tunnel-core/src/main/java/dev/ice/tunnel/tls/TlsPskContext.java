package dev.ice.tunnel.tls;

import java.security.SecureRandom;
import java.util.function.Supplier;

import org.bouncycastle.tls.crypto.TlsCrypto;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCryptoProvider;

import dev.ice.tunnel.CryptoStrategy;
import dev.ice.tunnel.key.KeyRing;
import dev.ice.tunnel.key.PresharedKey;

/**
 * Makes TLS-PSK handlers for one trust plane: its keys, one policy.
 *
 * <p>Each handler takes the key ring current when it is made, so keys reloaded later apply to new connections
 * only: a client offers the ring's first key, a server accepts any of them.
 *
 * <p>The crypto is BouncyCastle's {@code JcaTlsCrypto} over the JDK's own providers, whose AES-GCM uses the CPU's
 * AES instructions; BouncyCastle's pure-Java crypto is several times slower here.
 */
public final class TlsPskContext implements CryptoStrategy {

    private final TlsCrypto crypto;
    private final Supplier<KeyRing> keys;
    private final TlsPolicy policy;

    /**
     * @param key the trust plane's only key and identity
     * @param policy versions, suites and timeouts
     */
    public TlsPskContext(PresharedKey key, TlsPolicy policy) {
        this(fixed(KeyRing.of(key)), policy);
    }

    /**
     * @param keys the keys for each new connection, e.g. a {@link dev.ice.tunnel.key.LiveKeyRing}
     * @param policy versions, suites and timeouts
     */
    public TlsPskContext(Supplier<KeyRing> keys, TlsPolicy policy) {
        this.crypto = new JcaTlsCryptoProvider().create(new SecureRandom());
        this.keys = keys;
        this.policy = policy;
    }

    /** @return the policy these handlers follow */
    public TlsPolicy policy() {
        return policy;
    }

    /** @return a handler that opens TLS as a client on a newly connected channel */
    @Override
    public TlsPskHandler newClientHandler() {
        HandshakeObserver observer = new HandshakeObserver(true);
        IceClientProtocol protocol = new IceClientProtocol(observer);
        IceTlsClient client = new IceTlsClient(crypto, keys.get().offered(), policy, observer);
        return new TlsPskHandler(protocol, observer, () -> protocol.connect(client), timeoutMillis());
    }

    /** @return a handler that accepts TLS as a server on a newly accepted channel */
    @Override
    public TlsPskHandler newServerHandler() {
        HandshakeObserver observer = new HandshakeObserver(false);
        IceServerProtocol protocol = new IceServerProtocol(observer);
        IceTlsServer server = new IceTlsServer(crypto, keys.get(), policy, observer);
        return new TlsPskHandler(protocol, observer, () -> protocol.accept(server), timeoutMillis());
    }

    private static Supplier<KeyRing> fixed(KeyRing ring) {
        return () -> ring;
    }

    private long timeoutMillis() {
        return policy.handshakeTimeout().toMillis();
    }
}
