package dev.ice.tunnel.tls;

import java.io.IOException;

import org.bouncycastle.tls.DTLSRecordCallback;
import org.bouncycastle.tls.DTLSRecordFlags;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.TlsTimeoutException;

import dev.ice.tunnel.ConnectionOutcome;

/**
 * An established DTLS 1.2 association: one datagram in, one record out, and back.
 *
 * <p>Replay protection is BouncyCastle's, always on: a 64-record sliding window per epoch (RFC 6347 §4.1.2.6) drops
 * a record seen before, or older than the window, before it is decrypted. BouncyCastle offers no way to turn it off.
 *
 * <p>Not thread-safe: one thread sends and receives. BouncyCastle may resend its last handshake flight from inside
 * {@link #receive}, switching the write epoch meanwhile, so a send on another thread could go out in the wrong one.
 */
public final class DtlsSession implements AutoCloseable {

    // BouncyCastle refuses a zero-length array even with a zero length; a zero-length datagram is valid UDP.
    private static final byte[] EMPTY_DATAGRAM_SOURCE = new byte[1];

    private final DTLSTransport transport;
    private final String protocol;
    private final String cipherSuite;
    private final boolean connectionId;

    DtlsSession(DTLSTransport transport, String protocol, String cipherSuite, boolean connectionId) {
        this.transport = transport;
        this.protocol = protocol;
        this.cipherSuite = cipherSuite;
        this.connectionId = connectionId;
    }

    /** @return the negotiated protocol, "DTLSv1.2" */
    public String protocol() {
        return protocol;
    }

    /** @return the negotiated suite's IANA name */
    public String cipherSuite() {
        return cipherSuite;
    }

    /** @return whether the records we receive carry a connection ID (RFC 9146), so the peer may change address */
    public boolean receivesConnectionId() {
        return connectionId;
    }

    /** @return the largest plaintext one received record can hold */
    public int receiveLimit() throws IOException {
        return transport.getReceiveLimit();
    }

    /**
     * Seals one datagram's payload into one record and sends it.
     *
     * @throws IOException if the association has failed or closed
     */
    public void send(byte[] data, int offset, int length) throws IOException {
        if (length == 0) {
            transport.send(EMPTY_DATAGRAM_SOURCE, 0, 0);
        } else {
            transport.send(data, offset, length);
        }
    }

    /**
     * Waits for the next application record and opens it. Records that fail their MAC, replays and handshake
     * retransmissions are handled inside and not returned.
     *
     * @param buffer at least {@link #receiveLimit()} bytes
     * @param waitMillis how long to wait; 0 waits without limit
     * @param onPeerMoveConfirmed run when a record authenticated by the connection ID is the newest yet seen, the
     *     point where RFC 9146 §6 lets a server update the peer's address to the one the record came from
     * @return the payload's length, or -1 if no record came in time
     * @throws TlsFailureException if the server left heartbeats unanswered (upstream unreachable)
     * @throws IOException if the peer sent a fatal alert or the transport failed
     */
    public int receive(byte[] buffer, int waitMillis, Runnable onPeerMoveConfirmed) throws IOException {
        DTLSRecordCallback newest = flags -> {
            int wanted = DTLSRecordFlags.IS_NEWEST | DTLSRecordFlags.USES_CONNECTION_ID;
            if ((flags & wanted) == wanted) {
                onPeerMoveConfirmed.run();
            }
        };
        try {
            return transport.receive(buffer, 0, buffer.length, waitMillis, newest);
        } catch (TlsTimeoutException silent) {
            throw new TlsFailureException(ConnectionOutcome.UPSTREAM_UNREACHABLE, "the server stopped answering "
                + "heartbeats: it restarted or went away", silent);
        }
    }

    /** Sends close_notify and closes the transport under it. */
    @Override
    public void close() throws IOException {
        transport.close();
    }
}
