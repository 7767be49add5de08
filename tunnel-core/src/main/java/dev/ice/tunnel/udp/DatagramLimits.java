package dev.ice.tunnel.udp;

/**
 * The largest application datagram a UDP tunnel carries for a path MTU, and the sizes it is computed from.
 *
 * <p>One application datagram travels as one DTLS record in one UDP datagram, never fragmented by ICE, so it must
 * fit the path MTU with every header around it:
 * <pre>
 *   IPv4 header 20 (IPv6: 40) + UDP header 8 + DTLS record header 13 (RFC 6347 §4.1)
 *   + AES-GCM explicit nonce 8 + GCM tag 16 (RFC 5288 §3)
 *   + connection ID 4 + inner content type 1 (RFC 9146 §4), on records from an ICE client to an ICE server
 * </pre>
 * For a 1500-byte MTU that leaves 1430 bytes over IPv4 and 1410 over IPv6; for 1280, 1210 and 1190. Both
 * directions use the smaller client-to-server figure, so one number holds whichever way a datagram goes.
 */
public final class DatagramLimits {

    /** The path MTU assumed unless configured: Ethernet's. */
    public static final int DEFAULT_PATH_MTU = 1500;

    /** The smallest path MTU accepted: IPv6's minimum link MTU (RFC 8200 §5), also safe for IPv4. */
    public static final int MINIMUM_PATH_MTU = 1280;

    /** The largest path MTU accepted: a UDP datagram's length field cannot say more. */
    public static final int MAXIMUM_PATH_MTU = 65535;

    /** Bytes of IPv4 header without options. */
    public static final int IPV4_HEADER = 20;

    /** Bytes of IPv6 header without extension headers. */
    public static final int IPV6_HEADER = 40;

    /** Bytes of UDP header. */
    public static final int UDP_HEADER = 8;

    /** Bytes of DTLS 1.2 record header: type, version, epoch, sequence number, length. */
    public static final int DTLS_RECORD_HEADER = 13;

    /** Bytes of the explicit nonce an AES-GCM record carries in TLS 1.2 and DTLS 1.2. */
    public static final int GCM_EXPLICIT_NONCE = 8;

    /** Bytes of the AES-GCM authentication tag. */
    public static final int GCM_TAG = 16;

    /** Bytes of the connection ID an ICE server issues (RFC 9146), carried in each record a client sends. */
    public static final int CONNECTION_ID = 4;

    /** The real content type that a record with a connection ID carries inside its encrypted part. */
    public static final int INNER_CONTENT_TYPE = 1;

    /** The largest DTLS record a peer may send: header, 2^14 bytes of plaintext and 2048 of expansion. */
    static final int MAXIMUM_RECORD = DTLS_RECORD_HEADER + (1 << 14) + 2048;

    private DatagramLimits() {
    }

    /**
     * @param pathMtu the largest IP packet the path between the two tunnel ends carries
     * @param ipv6 whether that path is IPv6
     * @return the largest application datagram carried intact
     * @throws IllegalArgumentException if the MTU is outside {@value #MINIMUM_PATH_MTU}-{@value #MAXIMUM_PATH_MTU}
     */
    public static int maxPayload(int pathMtu, boolean ipv6) {
        checkPathMtu(pathMtu);
        return maxUdpPayload(pathMtu, ipv6) - DTLS_RECORD_HEADER - GCM_EXPLICIT_NONCE - GCM_TAG - CONNECTION_ID
            - INNER_CONTENT_TYPE;
    }

    /** @return the largest UDP payload (a whole DTLS datagram) that fits the path MTU */
    static int maxUdpPayload(int pathMtu, boolean ipv6) {
        return pathMtu - (ipv6 ? IPV6_HEADER : IPV4_HEADER) - UDP_HEADER;
    }

    /**
     * @throws IllegalArgumentException naming the value and the range
     */
    static void checkPathMtu(int pathMtu) {
        if (pathMtu < MINIMUM_PATH_MTU || pathMtu > MAXIMUM_PATH_MTU) {
            throw new IllegalArgumentException("path MTU " + pathMtu + " is outside " + MINIMUM_PATH_MTU + "-"
                + MAXIMUM_PATH_MTU + "; give the smallest MTU on the path between the two tunnel ends, e.g. 1500");
        }
    }
}
