package dev.ice.sidecar;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import dev.ice.tunnel.key.LiveKeyRing;
import dev.ice.tunnel.proxy.ProxyProtocol;
import dev.ice.tunnel.tls.TlsPolicy;

/**
 * The sidecar's configuration, read from ICE_* environment variables only.
 *
 * @param roles the roles, in the order given
 * @param encryptionEnabled false relays plaintext through the same interception (development only)
 * @param keys the trust plane's keys, reloadable when they come from a key file; null when encryption is off
 * @param policy TLS versions and handshake timeout
 * @param idleTimeout idle timeout for connections; zero is off
 * @param inboundPort the port server roles' traffic is redirected to
 * @param outboundPort the port client roles' traffic is redirected to
 * @param socketMark the SO_MARK on the sidecar's own sockets, which its rules let pass
 * @param excludedCidrs outbound destinations never intercepted
 * @param backend the netfilter backend: auto, iptables-nft, iptables-legacy or nftables
 * @param ipv6 auto (intercept IPv6 when the namespace has it) or off
 * @param proxyProtocol the PROXY protocol on the inbound listener; see {@link ProxyProtocolSettings}
 * @param strategy the crypto strategy: {@value #STRATEGY_ICE} (TLS 1.3 PSK) or {@value #STRATEGY_FERNET}
 */
public record SidecarSettings(List<Role> roles, boolean encryptionEnabled, LiveKeyRing keys, TlsPolicy policy,
        Duration idleTimeout, int inboundPort, int outboundPort, int socketMark, List<String> excludedCidrs,
        String backend, String ipv6, ProxyProtocol proxyProtocol, String strategy) {

    /** The TLS 1.3 PSK strategy. */
    public static final String STRATEGY_ICE = "ice";
    /** The strategy that carries each stream as Fernet tokens. */
    public static final String STRATEGY_FERNET = "fernet";

    /** Default port for inbound (server role) traffic, as Istio's sidecar uses. */
    public static final int DEFAULT_INBOUND_PORT = 15006;
    /** Default port for outbound (client role) traffic, as Istio's sidecar uses. */
    public static final int DEFAULT_OUTBOUND_PORT = 15001;
    /** Default mark of the sidecar's own sockets: 0x1ce, "ICE". */
    public static final int DEFAULT_SOCKET_MARK = 0x1ce;

    /**
     * Reads and checks the settings.
     *
     * @param env the environment
     * @param warnings receives warnings (a short passphrase)
     * @param needKey whether the key must be read (not for installing rules from an init container)
     * @return the settings
     * @throws SidecarConfigException or {@link dev.ice.tunnel.key.PresharedKeyException} naming the value and fix
     */
    public static SidecarSettings fromEnvironment(Map<String, String> env, Consumer<String> warnings,
            boolean needKey) {
        List<Role> roles = roles(require(env, "ICE_ROLES", "server:tcp:9001,client:tcp:5000"));
        String strategy = strategy(require(env, "ICE_CRYPTO_STRATEGY", "ice"));
        boolean encrypted = bool(require(env, "ICE_ENCRYPTION_ENABLED", "True or False"), "ICE_ENCRYPTION_ENABLED");
        LiveKeyRing keys = encrypted && needKey ? LiveKeyRing.fromEnvironment(env, warnings) : null;
        TlsPolicy policy = new TlsPolicy(bool(env.getOrDefault("ICE_TLS12", "False"), "ICE_TLS12"), false,
            duration(env, "ICE_HANDSHAKE_TIMEOUT", TlsPolicy.DEFAULT_HANDSHAKE_TIMEOUT));
        int inbound = port(env, "ICE_INBOUND_PORT", DEFAULT_INBOUND_PORT);
        int outbound = port(env, "ICE_OUTBOUND_PORT", DEFAULT_OUTBOUND_PORT);
        checkListenerPorts(roles, inbound, outbound);
        return new SidecarSettings(roles, encrypted, keys, policy, duration(env, "ICE_IDLE_TIMEOUT", Duration.ZERO),
            inbound, outbound, mark(env), cidrs(env.getOrDefault("ICE_EXCLUDE_CIDRS", "")),
            choice(env, "ICE_NETFILTER_BACKEND", "auto", "auto", "iptables-nft", "iptables-legacy", "nftables"),
            choice(env, "ICE_IPV6", "auto", "auto", "off"),
            ProxyProtocolSettings.fromEnvironment(env, policy.handshakeTimeout()), strategy);
    }

    /**
     * Reads {@code ICE_KEEP_RULES_ON_EXIT}: whether a clean stop leaves the interception rules in place, so that the
     * service's traffic on its roles is refused rather than sent in clear while no sidecar runs.
     *
     * @param env the environment
     * @return the setting, false unless set
     */
    public static boolean keepRulesOnExit(Map<String, String> env) {
        return bool(env.getOrDefault("ICE_KEEP_RULES_ON_EXIT", "False"), "ICE_KEEP_RULES_ON_EXIT");
    }

    /** @return the ports of the server roles */
    public Set<Integer> serverPorts() {
        return ports(Role.Direction.SERVER);
    }

    /** @return the ports of the client roles */
    public Set<Integer> clientPorts() {
        return ports(Role.Direction.CLIENT);
    }

    private Set<Integer> ports(Role.Direction direction) {
        Set<Integer> ports = new LinkedHashSet<>();
        roles.stream().filter(role -> role.direction() == direction).forEach(role -> ports.add(role.port()));
        return ports;
    }

    private static String require(Map<String, String> env, String name, String example) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new SidecarConfigException(name + " is not set; set it, e.g. " + name + "=" + example);
        }
        return value.strip();
    }

    private static List<Role> roles(String value) {
        List<Role> roles = new ArrayList<>();
        for (String entry : value.split(",", -1)) {
            String trimmed = entry.strip();
            if (trimmed.isEmpty()) {
                throw new SidecarConfigException("ICE_ROLES '" + value + "' has an empty entry; separate roles with "
                    + "single commas, e.g. server:tcp:9001,client:tcp:5000");
            }
            Role role = Role.parse(trimmed);
            if (roles.contains(role)) {
                throw new SidecarConfigException("ICE_ROLES entry '" + trimmed + "' is given twice; list each role "
                    + "once");
            }
            if (role.protocol() == Role.Protocol.UDP) {
                throw new SidecarConfigException("ICE_ROLES entry '" + trimmed + "': UDP roles are not implemented "
                    + "in this version of ICE; use TCP roles for now");
            }
            roles.add(role);
        }
        return List.copyOf(roles);
    }

    private static String strategy(String value) {
        String strategy = value.toLowerCase(Locale.ROOT);
        if (!strategy.equals(STRATEGY_ICE) && !strategy.equals(STRATEGY_FERNET)) {
            throw new SidecarConfigException("ICE_CRYPTO_STRATEGY '" + value + "' is not a strategy; use 'ice' "
                + "(TLS 1.3 with the pre-shared key) or 'fernet' (Fernet tokens)");
        }
        return strategy;
    }

    static boolean bool(String value, String name) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new SidecarConfigException(name + " '" + value + "' is not a boolean; use True or "
                + "False");
        };
    }

    private static int port(Map<String, String> env, String name, int fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int port = Integer.parseInt(value.strip());
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // Reported below with the value.
        }
        throw new SidecarConfigException(name + " '" + value + "' must be a port from 1 to 65535");
    }

    private static void checkListenerPorts(List<Role> roles, int inbound, int outbound) {
        if (inbound == outbound) {
            throw new SidecarConfigException("ICE_INBOUND_PORT and ICE_OUTBOUND_PORT are both " + inbound
                + "; give them different ports");
        }
        for (Role role : roles) {
            if (role.port() == inbound || role.port() == outbound) {
                throw new SidecarConfigException("ICE_ROLES entry '" + role + "' uses port " + role.port()
                    + ", which the sidecar itself listens on; move ICE_INBOUND_PORT or ICE_OUTBOUND_PORT");
            }
        }
    }

    private static int mark(Map<String, String> env) {
        String value = env.get("ICE_SOCKET_MARK");
        if (value == null || value.isBlank()) {
            return DEFAULT_SOCKET_MARK;
        }
        try {
            int mark = Integer.decode(value.strip());
            if (mark > 0) {
                return mark;
            }
        } catch (NumberFormatException e) {
            // Reported below with the value.
        }
        throw new SidecarConfigException("ICE_SOCKET_MARK '" + value + "' must be a positive number, e.g. 0x1ce");
    }

    private static Duration duration(Map<String, String> env, String name, Duration fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new SidecarConfigException(name + " " + e.getMessage());
        }
    }

    private static List<String> cidrs(String value) {
        List<String> cidrs = new ArrayList<>();
        for (String entry : value.split(",")) {
            String cidr = entry.strip();
            if (!cidr.isEmpty()) {
                if (!cidr.matches("[0-9A-Fa-f:.]+(/\\d{1,3})?")) {
                    throw new SidecarConfigException("ICE_EXCLUDE_CIDRS entry '" + cidr + "' is not an address or "
                        + "CIDR; write e.g. 10.0.0.0/8,fd00::/8");
                }
                cidrs.add(cidr);
            }
        }
        return List.copyOf(cidrs);
    }

    private static String choice(Map<String, String> env, String name, String fallback, String... allowed) {
        String value = env.getOrDefault(name, fallback).strip().toLowerCase(Locale.ROOT);
        for (String option : allowed) {
            if (option.equals(value)) {
                return value;
            }
        }
        throw new SidecarConfigException(name + " '" + env.get(name) + "' must be one of "
            + String.join(", ", allowed));
    }

    @Override
    public String toString() {
        return "SidecarSettings[roles=" + roles + ", strategy=" + strategy + ", encryption=" + encryptionEnabled
            + ", keys=" + keys + "]";
    }
}
