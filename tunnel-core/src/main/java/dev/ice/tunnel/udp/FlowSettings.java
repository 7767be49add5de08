package dev.ice.tunnel.udp;

/**
 * What every flow of one tunnel shares.
 *
 * @param client whether the tunnel is a client (plaintext from peers, DTLS to the target)
 * @param maxPayload the largest application datagram carried
 * @param sendLimit the largest DTLS datagram sent, for BouncyCastle to fit handshake messages to
 * @param idleTimeoutMillis how long a flow may go without an application datagram
 * @param connectTimeoutMillis how long a flow waits for its own socket
 * @param tooLargeAdvice the explanation and fix logged with an oversized datagram
 * @param drops where dropped datagrams are logged
 */
record FlowSettings(boolean client, int maxPayload, int sendLimit, long idleTimeoutMillis, long connectTimeoutMillis,
        String tooLargeAdvice, DropLog drops) {
}
