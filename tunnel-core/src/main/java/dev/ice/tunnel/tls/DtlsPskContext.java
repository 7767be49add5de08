package dev.ice.tunnel.tls;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.function.Supplier;

import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.crypto.TlsCrypto;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCryptoProvider;

import dev.ice.tunnel.key.PresharedKey;

/**
 * Runs DTLS 1.2 PSK handshakes for one trust plane: one key, one policy. The handshakes block, so each runs on its
 * flow's own (virtual) thread, over a {@link DatagramTransport} that the caller feeds with datagrams.
 *
 * <p>The crypto is BouncyCastle's {@code JcaTlsCrypto} over the JDK's providers, as for TLS.
 */
public final class DtlsPskContext {

    private final TlsCrypto crypto;
    private final PresharedKey key;
    private final DtlsPolicy policy;

    /**
     * @param key the trust plane's key and identity
     * @param policy suites and handshake timeout
     */
    public DtlsPskContext(PresharedKey key, DtlsPolicy policy) {
        this.crypto = new JcaTlsCryptoProvider().create(new SecureRandom());
        this.key = key;
        this.policy = policy;
    }

    /** @return the policy the handshakes follow */
    public DtlsPolicy policy() {
        return policy;
    }

    /** @return a new cookie gate for one server listener, with its own HMAC secret */
    public DtlsCookieGate newCookieGate() {
        return new DtlsCookieGate(crypto, System::nanoTime);
    }

    /**
     * Runs a client handshake without heartbeats.
     *
     * @param transport sends to and receives from the server
     * @return the established session
     * @throws DtlsHandshakeException naming the outcome, e.g. a timeout or a key the server refused
     */
    public DtlsSession connect(DatagramTransport transport) throws DtlsHandshakeException {
        return connect(transport, Duration.ZERO);
    }

    /**
     * Runs a client handshake.
     *
     * @param transport sends to and receives from the server
     * @param heartbeat how often to check that the server still holds the session (RFC 6520), if it agrees, and
     *     how long it may take to answer; {@link DtlsSession#receive} then fails when it does not. Zero for none
     * @return the established session
     * @throws DtlsHandshakeException naming the outcome, e.g. a timeout or a key the server refused
     */
    public DtlsSession connect(DatagramTransport transport, Duration heartbeat) throws DtlsHandshakeException {
        HandshakeObserver observer = new HandshakeObserver(true);
        DtlsProgress progress = new DtlsProgress();
        IceDtlsClient client = new IceDtlsClient(crypto, key, policy, observer, progress,
            (int) Math.min(Integer.MAX_VALUE, heartbeat.toMillis()));
        try {
            DTLSTransport established = new DTLSClientProtocol().connect(client, transport);
            return new DtlsSession(established, observer.protocol(), observer.cipherSuite(), false);
        } catch (IOException e) {
            throw DtlsFailures.classify(e, observer, progress, true, policy);
        }
    }

    /**
     * Runs a server handshake for a client whose hello passed the cookie gate.
     *
     * @param transport sends to and receives from the client
     * @param hello the client's verified hello
     * @param connectionIds issues an RFC 9146 connection ID for this flow if the client offers to use one, unique
     *     among the listener's flows; null to use none
     * @return the established session
     * @throws DtlsHandshakeException naming the outcome, e.g. a wrong key or an unknown identity
     */
    public DtlsSession accept(DatagramTransport transport, DtlsHello hello, Supplier<byte[]> connectionIds)
            throws DtlsHandshakeException {
        HandshakeObserver observer = new HandshakeObserver(false);
        DtlsProgress progress = new DtlsProgress();
        IssuedId issued = new IssuedId(connectionIds);
        IceDtlsServer server = new IceDtlsServer(crypto, key, policy, observer, connectionIds == null ? null : issued);
        try {
            DTLSTransport established = new DTLSServerProtocol().accept(server, new EpochWatch(transport, progress),
                hello.request());
            return new DtlsSession(established, observer.protocol(), observer.cipherSuite(), issued.used);
        } catch (IOException e) {
            throw DtlsFailures.classify(e, observer, progress, false, policy);
        }
    }

    /** Remembers whether the server handed out a connection ID, i.e. whether the client offered to use one. */
    private static final class IssuedId implements Supplier<byte[]> {

        private final Supplier<byte[]> connectionIds;
        private boolean used;

        IssuedId(Supplier<byte[]> connectionIds) {
            this.connectionIds = connectionIds;
        }

        @Override
        public byte[] get() {
            used = true;
            return connectionIds.get();
        }
    }
}
