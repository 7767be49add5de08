package dev.ice.sidecar;

import java.util.Locale;

/**
 * One entry of {@code ICE_ROLES}: {@code (client|server):(tcp|udp):PORT}.
 *
 * @param direction server takes the service's inbound traffic on the port, client its outbound traffic
 * @param protocol the layer-4 protocol
 * @param port 1-65535
 */
public record Role(Direction direction, Protocol protocol, int port) {

    /** Which traffic of the service the role takes. */
    public enum Direction {
        /** Inbound: other members connect to the service on the port. */
        SERVER,
        /** Outbound: the service connects to other members on the port. */
        CLIENT
    }

    /** The layer-4 protocol of a role. */
    public enum Protocol {
        /** TCP, carried over TLS-PSK. */
        TCP,
        /** UDP, carried over DTLS-PSK. */
        UDP
    }

    /**
     * Parses one entry.
     *
     * @param entry e.g. "server:tcp:9001", already trimmed
     * @return the role
     * @throws SidecarConfigException naming the entry and the fix
     */
    public static Role parse(String entry) {
        String[] parts = entry.split(":", -1);
        if (parts.length != 3) {
            throw invalid(entry, "expected (client|server):(tcp|udp):PORT, e.g. server:tcp:9001");
        }
        Direction direction = switch (parts[0].toLowerCase(Locale.ROOT)) {
            case "server" -> Direction.SERVER;
            case "client" -> Direction.CLIENT;
            default -> throw invalid(entry, "direction '" + parts[0] + "' must be client or server");
        };
        Protocol protocol = switch (parts[1].toLowerCase(Locale.ROOT)) {
            case "tcp" -> Protocol.TCP;
            case "udp" -> Protocol.UDP;
            default -> throw invalid(entry, "protocol '" + parts[1] + "' must be tcp or udp");
        };
        return new Role(direction, protocol, parsePort(entry, parts[2]));
    }

    private static int parsePort(String entry, String text) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(Character::isDigit)) {
            throw invalid(entry, "port '" + text + "' must be a number from 1 to 65535");
        }
        int port = Integer.parseInt(text);
        if (port == 0) {
            throw invalid(entry, "port 0 means 'any port' to the kernel and cannot be intercepted; use 1-65535");
        }
        if (port > 65535) {
            throw invalid(entry, "port must be 1-65535");
        }
        return port;
    }

    private static SidecarConfigException invalid(String entry, String fix) {
        return new SidecarConfigException("ICE_ROLES entry '" + entry + "': " + fix);
    }

    /** @return e.g. "server:tcp:9001" */
    @Override
    public String toString() {
        return direction.name().toLowerCase(Locale.ROOT) + ":" + protocol.name().toLowerCase(Locale.ROOT) + ":"
            + port;
    }
}
