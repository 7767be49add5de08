package dev.ice.tunnel.proxy;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/**
 * PROXY protocol headers written byte by byte from the specification, so that tests do not check Netty's decoder
 * against its own encoder.
 */
public final class Headers {

    public static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    public static final int PROXY = 0x21;
    public static final int LOCAL = 0x20;
    public static final int TCP4 = 0x11;
    public static final int TCP6 = 0x21;
    public static final int UDP4 = 0x12;

    private Headers() {
    }

    /** A v1 line, e.g. {@code v1("TCP4 203.0.113.7 198.18.0.31 51000 9001")}. */
    public static byte[] v1(String body) {
        return ("PROXY " + body + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** A v2 header: version and command byte, family byte, the two addresses and ports, then {@code tlvBytes}. */
    public static byte[] v2(int command, int family, String source, int sourcePort, String destination,
            int destinationPort, int tlvBytes) {
        byte[] src = InetAddress.ofLiteral(source).getAddress();
        byte[] dst = InetAddress.ofLiteral(destination).getAddress();
        int length = src.length + dst.length + 4 + tlvBytes;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(V2_SIGNATURE);
        out.write(command);
        out.write(family);
        writeShort(out, length);
        out.writeBytes(src);
        out.writeBytes(dst);
        writeShort(out, sourcePort);
        writeShort(out, destinationPort);
        writeTlvs(out, tlvBytes);
        return out.toByteArray();
    }

    /** A v2 PROXY command over TCP4 with no TLVs. */
    public static byte[] v2(String source, int sourcePort, String destination, int destinationPort) {
        return v2(PROXY, TCP4, source, sourcePort, destination, destinationPort, 0);
    }

    /** @return the two arrays one after the other */
    public static byte[] concat(byte[] first, byte[] second) {
        byte[] both = new byte[first.length + second.length];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    // Section 2.2.7: type (1 byte), length (2), value. One PP2_TYPE_NOOP (0x04) TLV fills the space.
    private static void writeTlvs(ByteArrayOutputStream out, int bytes) {
        if (bytes > 0) {
            out.write(0x04);
            writeShort(out, bytes - 3);
            out.writeBytes(new byte[bytes - 3]);
        }
    }

    private static void writeShort(ByteArrayOutputStream out, int value) {
        out.write(value >> 8);
        out.write(value & 0xFF);
    }
}
