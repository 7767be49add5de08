package dev.ice.tunnel.tls;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import org.bouncycastle.tls.DTLSRequest;
import org.bouncycastle.tls.DTLSVerifier;
import org.bouncycastle.tls.DatagramSender;
import org.bouncycastle.tls.crypto.TlsCrypto;

/**
 * The stateless cookie exchange of a DTLS server (RFC 6347 §4.2.1), before any flow exists.
 *
 * <p>A ClientHello without a valid cookie gets a HelloVerifyRequest carrying an HMAC of the sender's address and
 * the hello, and nothing is kept. Only a hello that echoes that cookie, which needs the sender to receive at the
 * address it claims, is let through. So a flood of spoofed hellos costs one HMAC and one small reply each, and
 * the reply is no larger than the hello, so the server is no amplifier.
 *
 * <p>The HMAC secret is replaced every {@link #SECRET_LIFETIME}, as the RFC advises; cookies made with the
 * previous secret are still taken, so a hello that straddles a change is not refused.
 *
 * <p>Not thread-safe: one listener's event loop uses it.
 */
public final class DtlsCookieGate {

    /** How long one HMAC secret is used for new cookies. */
    public static final Duration SECRET_LIFETIME = Duration.ofMinutes(2);

    private final TlsCrypto crypto;
    private final LongSupplier nanoClock;
    private DTLSVerifier current;
    private DTLSVerifier previous;
    private long currentSince;

    DtlsCookieGate(TlsCrypto crypto, LongSupplier nanoClock) {
        this.crypto = crypto;
        this.nanoClock = nanoClock;
        this.current = new DTLSVerifier(crypto);
        this.previous = current;
        this.currentSince = nanoClock.getAsLong();
    }

    /**
     * Checks a datagram from a sender that has no flow.
     *
     * @param sender where it came from; the cookie is bound to this address and port
     * @param datagram the datagram's bytes
     * @param helloVerifyRequests sends a HelloVerifyRequest back to the sender
     * @return the hello, if the datagram is a ClientHello with a valid cookie; empty otherwise, after answering a
     *     ClientHello without one (anything that is not a ClientHello is ignored)
     */
    public Optional<DtlsHello> admit(InetSocketAddress sender, byte[] datagram,
            Consumer<byte[]> helloVerifyRequests) {
        rotateIfDue();
        byte[] clientId = clientId(sender);
        Captured reply = new Captured();
        DTLSRequest request = current.verifyRequest(clientId, datagram, 0, datagram.length, reply);
        if (request == null && reply.datagram != null) {
            request = previous.verifyRequest(clientId, datagram, 0, datagram.length, new Captured());
        }
        if (request != null) {
            return Optional.of(new DtlsHello(request));
        }
        if (reply.datagram != null) {
            helloVerifyRequests.accept(reply.datagram);
        }
        return Optional.empty();
    }

    private void rotateIfDue() {
        long now = nanoClock.getAsLong();
        if (now - currentSince >= SECRET_LIFETIME.toNanos()) {
            previous = current;
            current = new DTLSVerifier(crypto);
            currentSince = now;
        }
    }

    private static byte[] clientId(InetSocketAddress sender) {
        byte[] address = sender.getAddress().getAddress();
        return ByteBuffer.allocate(address.length + 2).put(address).putShort((short) sender.getPort()).array();
    }

    /** Keeps the HelloVerifyRequest a verifier wants to send, so that only one is sent whichever secret checks. */
    private static final class Captured implements DatagramSender {

        private byte[] datagram;

        @Override
        public int getSendLimit() {
            return 1 << 14;
        }

        @Override
        public void send(byte[] buf, int off, int len) throws IOException {
            datagram = Arrays.copyOfRange(buf, off, off + len);
        }
    }
}
