package dev.ice.tunnel.udp;

import java.io.IOException;

import org.bouncycastle.tls.DatagramTransport;

/**
 * The datagram transport BouncyCastle's DTLS runs over for one flow: it receives from the flow's ciphertext queue
 * and sends through the flow's ciphertext outlet.
 */
final class FlowTransport implements DatagramTransport {

    private final Flow flow;
    private final int sendLimit;

    /**
     * @param sendLimit the largest datagram to send, from the path MTU; BouncyCastle splits handshake messages to
     *     fit it
     */
    FlowTransport(Flow flow, int sendLimit) {
        this.flow = flow;
        this.sendLimit = sendLimit;
    }

    // Whatever a peer sends, up to a full record: OpenSSL sizes records by its own idea of the MTU, not ours.
    @Override
    public int getReceiveLimit() {
        return DatagramLimits.MAXIMUM_RECORD;
    }

    @Override
    public int getSendLimit() {
        return sendLimit;
    }

    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        return flow.receiveCiphertext(buf, off, len, waitMillis);
    }

    @Override
    public void send(byte[] buf, int off, int len) {
        flow.sendCiphertext(buf, off, len);
    }

    /** BouncyCastle closes the transport after close_notify either way, or after a fatal alert. */
    @Override
    public void close() {
        flow.transportClosed();
    }
}
