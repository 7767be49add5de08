package dev.ice.tunnel.proxy;

import java.time.Duration;
import java.util.Objects;

/**
 * How a server tunnel uses the PROXY protocol.
 *
 * @param mode whether a header is read in front of each accepted stream
 * @param trusted the sources whose headers are believed; must not be empty unless the mode is off
 * @param sendToService whether each connection to the plaintext service starts with a PROXY v2 header naming the
 *     real client (the header's, else the peer's own address)
 * @param headerTimeout how long a peer has to send its header; servers use their handshake timeout, which also
 *     bounds the TLS handshake that follows
 */
public record ProxyProtocol(ProxyProtocolMode mode, TrustedSources trusted, boolean sendToService,
        Duration headerTimeout) {

    /** Neither read nor sent. */
    public static final ProxyProtocol OFF = new ProxyProtocol(ProxyProtocolMode.OFF, TrustedSources.NONE, false,
        Duration.ofSeconds(10));

    /** Checks the values. */
    public ProxyProtocol {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(trusted, "trusted");
        if (mode != ProxyProtocolMode.OFF && trusted.isEmpty()) {
            throw new ProxyProtocolConfigException("PROXY protocol mode '" + mode + "' needs at least one trusted "
                + "source, e.g. the load balancer's address");
        }
        if (headerTimeout.isNegative() || headerTimeout.isZero()) {
            throw new IllegalArgumentException("PROXY header timeout must be positive, got " + headerTimeout);
        }
    }

    /**
     * Reads the settings as users give them, naming each option or variable in errors.
     *
     * @param modeName where the mode came from, e.g. {@code --proxy-protocol}
     * @param mode {@code off}, {@code accept} or {@code require}; null means off
     * @param trustedName where the trusted sources came from, e.g. {@code --proxy-trusted}
     * @param trusted comma-separated CIDRs; null or blank means none
     * @param sendToService whether to send a PROXY v2 header to the service
     * @param headerTimeout the handshake timeout, which bounds the header too
     * @return the settings
     * @throws ProxyProtocolConfigException naming the value and the fix
     */
    public static ProxyProtocol parse(String modeName, String mode, String trustedName, String trusted,
            boolean sendToService, Duration headerTimeout) {
        ProxyProtocolMode parsedMode = mode == null ? ProxyProtocolMode.OFF : ProxyProtocolMode.parse(mode, modeName);
        TrustedSources sources = TrustedSources.parse(trusted, trustedName);
        if (parsedMode == ProxyProtocolMode.OFF && !sources.isEmpty()) {
            throw new ProxyProtocolConfigException(trustedName + " is set but " + modeName + " is off; set "
                + modeName + " to accept or require, or leave " + trustedName + " out");
        }
        if (parsedMode != ProxyProtocolMode.OFF && sources.isEmpty()) {
            throw new ProxyProtocolConfigException(modeName + " '" + parsedMode + "' needs " + trustedName
                + ": the addresses of the load balancers whose headers to believe, e.g. 10.0.0.5/32");
        }
        return new ProxyProtocol(parsedMode, sources, sendToService, headerTimeout);
    }

    /** @return whether a header is read in front of each accepted stream */
    public boolean readsHeader() {
        return mode != ProxyProtocolMode.OFF;
    }

    /** @return whether the protocol is used at all, in or out */
    public boolean isOn() {
        return readsHeader() || sendToService;
    }

    /** @return a short description for start-up logs */
    public String describe() {
        String in = readsHeader() ? mode + " a header from " + trusted : "no header read";
        return in + (sendToService ? ", v2 header sent to the service" : "");
    }
}
