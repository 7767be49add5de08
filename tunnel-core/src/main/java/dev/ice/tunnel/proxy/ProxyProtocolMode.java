package dev.ice.tunnel.proxy;

import java.util.Locale;

/** Whether a server tunnel reads a PROXY protocol header in front of each accepted stream. */
public enum ProxyProtocolMode {
    /** No header is read: the stream must start with TLS. */
    OFF,
    /** A header from a trusted source is read when one comes; a stream without one is taken as it is. */
    ACCEPT,
    /** Every stream must start with a header from a trusted source; one without is refused. */
    REQUIRE;

    /**
     * Reads a mode as users write it: {@code off}, {@code accept} or {@code require}, in any case.
     *
     * @param text the value
     * @param what the option or variable it came from, named in the error
     * @return the mode
     * @throws ProxyProtocolConfigException naming the value and the accepted ones
     */
    public static ProxyProtocolMode parse(String text, String what) {
        String value = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        for (ProxyProtocolMode mode : values()) {
            if (mode.name().toLowerCase(Locale.ROOT).equals(value)) {
                return mode;
            }
        }
        throw new ProxyProtocolConfigException(what + " '" + text + "' is not a mode; use off, accept or require");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
