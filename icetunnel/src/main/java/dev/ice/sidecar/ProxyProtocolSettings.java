package dev.ice.sidecar;

import java.time.Duration;
import java.util.Map;

import dev.ice.tunnel.proxy.ProxyProtocol;

/**
 * The sidecar's PROXY protocol variables, which apply to its inbound listener (all server roles):
 *
 * <ul>
 *   <li>{@code ICE_PROXY_PROTOCOL}: {@code off} (default), {@code accept} or {@code require} a header in front
 *       of each TLS stream;</li>
 *   <li>{@code ICE_PROXY_TRUSTED_CIDRS}: the load balancers whose headers are believed, needed unless off;</li>
 *   <li>{@code ICE_PROXY_PROTOCOL_TO_SERVICE}: {@code True} opens each connection to the service with a PROXY v2
 *       header naming the real client; default {@code False}.</li>
 * </ul>
 */
public final class ProxyProtocolSettings {

    /** Whether a header is read: off, accept or require. */
    public static final String MODE = "ICE_PROXY_PROTOCOL";
    /** Comma-separated CIDRs of the load balancers whose headers are believed. */
    public static final String TRUSTED_CIDRS = "ICE_PROXY_TRUSTED_CIDRS";
    /** True or False: send a PROXY v2 header to the service. */
    public static final String TO_SERVICE = "ICE_PROXY_PROTOCOL_TO_SERVICE";

    private ProxyProtocolSettings() {
    }

    /**
     * @param env the environment
     * @param handshakeTimeout the sidecar's handshake timeout, which bounds a header too
     * @return the settings, off when none of the variables is set
     * @throws IllegalArgumentException naming the variable, the value and the fix
     */
    public static ProxyProtocol fromEnvironment(Map<String, String> env, Duration handshakeTimeout) {
        boolean toService = SidecarSettings.bool(env.getOrDefault(TO_SERVICE, "False"), TO_SERVICE);
        return ProxyProtocol.parse(MODE, blankAsNull(env.get(MODE)), TRUSTED_CIDRS, env.get(TRUSTED_CIDRS),
            toService, handshakeTimeout);
    }

    private static String blankAsNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
