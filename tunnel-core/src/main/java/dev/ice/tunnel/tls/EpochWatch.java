package dev.ice.tunnel.tls;

import java.io.IOException;

import org.bouncycastle.tls.DatagramTransport;

/** Passes datagrams through, noting when the peer first sends a record of an epoch after 0 (its Finished). */
final class EpochWatch implements DatagramTransport {

    // DTLSPlaintext (RFC 6347 §4.1): type (1), version (2), epoch (2), sequence (6), length (2).
    private static final int EPOCH_OFFSET = 3;
    private static final int RECORD_HEADER = 13;

    private final DatagramTransport transport;
    private final DtlsProgress progress;

    EpochWatch(DatagramTransport transport, DtlsProgress progress) {
        this.transport = transport;
        this.progress = progress;
    }

    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        int received = transport.receive(buf, off, len, waitMillis);
        if (received >= RECORD_HEADER && (buf[off + EPOCH_OFFSET] | buf[off + EPOCH_OFFSET + 1]) != 0) {
            progress.peerEncrypted();
        }
        return received;
    }

    @Override
    public int getReceiveLimit() throws IOException {
        return transport.getReceiveLimit();
    }

    @Override
    public int getSendLimit() throws IOException {
        return transport.getSendLimit();
    }

    @Override
    public void send(byte[] buf, int off, int len) throws IOException {
        transport.send(buf, off, len);
    }

    @Override
    public void close() throws IOException {
        transport.close();
    }
}
