package dev.ice.tunnel;

import java.net.InetSocketAddress;

import io.netty.util.NetUtil;

/**
 * A host and TCP port as a user writes them: {@code HOST:PORT}, {@code [IPV6]:PORT}, or a bare {@code PORT} for
 * loopback.
 *
 * @param host a name or address literal, without brackets
 * @param port 0-65535; 0 asks a listener for any free port
 */
public record Endpoint(String host, int port) {

    /** The host a bare port means: listeners bind to loopback unless told otherwise. */
    public static final String LOOPBACK = "127.0.0.1";

    /**
     * Parses an endpoint.
     *
     * @param text what the user wrote
     * @param what the option or variable it came from, named in the error
     * @param allowAnyPort whether port 0 is allowed (listeners only)
     * @return the endpoint
     * @throws IllegalArgumentException naming the value and the expected form
     */
    public static Endpoint parse(String text, String what, boolean allowAnyPort) {
        String value = text == null ? "" : text.strip();
        int colon = value.lastIndexOf(':');
        String host;
        String port;
        if (colon < 0) {
            host = LOOPBACK;
            port = value;
        } else {
            host = value.substring(0, colon);
            port = value.substring(colon + 1);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw invalid(what, value, "write an IPv6 address in brackets, e.g. [::1]:8443");
        }
        if (host.isEmpty()) {
            throw invalid(what, value, "the host is empty; write HOST:PORT, e.g. 127.0.0.1:8443");
        }
        int number = parsePort(port, what, value);
        if (number == 0 && !allowAnyPort) {
            throw invalid(what, value, "port 0 cannot be connected to; give the port the service listens on");
        }
        return new Endpoint(host, number);
    }

    /**
     * Writes a socket address the way users write endpoints, without Java's leading slash.
     *
     * @param address an address, typically a channel's peer
     * @return e.g. "10.0.0.5:51000" or "[::1]:8443"
     */
    public static String describe(java.net.SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            // RFC 5952 text (2001:db8::12, not Java's 2001:db8:0:0:0:0:0:12), so logs match what users grep for.
            String host = inet.getAddress() != null ? NetUtil.toAddressString(inet.getAddress()) : inet.getHostString();
            return new Endpoint(host, inet.getPort()).toString();
        }
        return String.valueOf(address);
    }

    /** @return an unresolved socket address, resolved when used */
    public InetSocketAddress toSocketAddress() {
        return InetSocketAddress.createUnresolved(host, port);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private static int parsePort(String port, String what, String value) {
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)) {
            throw invalid(what, value, "expected HOST:PORT with a port of 0-65535, e.g. 127.0.0.1:8443");
        }
        int number = Integer.parseInt(port);
        if (number > 65535) {
            throw invalid(what, value, "port " + number + " is above 65535");
        }
        return number;
    }

    private static IllegalArgumentException invalid(String what, String value, String fix) {
        return new IllegalArgumentException(what + " '" + value + "': " + fix);
    }
}
