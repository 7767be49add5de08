package dev.ice.sidecar;

import java.io.PrintWriter;
import java.util.Locale;

/** The start-up banner of the original ICE: a logo, the version, the strategy and a table of roles. */
public final class Banner {

    private static final String LOGO = String.join("\n",
        "  ___   ____  _____",
        " |_ _| / ___|| ____|",
        "  | | | |    |  _|",
        "  | | | |___ | |___",
        " |___| \\____||_____|  Ironclad Container Encryption",
        "");

    private Banner() {
    }

    /**
     * @param strategy a strategy's setting
     * @return the setting and what it means, e.g. "ice (TLS 1.3 PSK, TLS_AES_128_GCM_SHA256)"
     */
    public static String describe(String strategy) {
        if (strategy.equals(SidecarSettings.STRATEGY_FERNET)) {
            return strategy + " (Fernet tokens: AES-128-CBC, HMAC-SHA256; no forward secrecy)";
        }
        return strategy + " (TLS 1.3 PSK, TLS_AES_128_GCM_SHA256)";
    }

    /**
     * Prints the banner.
     *
     * @param out where to print
     * @param version ICE's version
     * @param settings the sidecar's settings
     */
    public static void print(PrintWriter out, String version, SidecarSettings settings) {
        out.println(LOGO);
        out.printf("ice version          %s%n", version);
        out.printf("crypto strategy      %s%n", describe(settings.strategy()));
        out.printf("encryption enabled   %s%n", settings.encryptionEnabled() ? "True" : "False  <-- PLAINTEXT");
        if (settings.proxyProtocol().isOn()) {
            out.printf("proxy protocol       %s%n", settings.proxyProtocol().describe());
        }
        out.println();
        out.printf("%-8s %-9s %s%n", "role", "protocol", "port");
        for (Role role : settings.roles()) {
            out.printf("%-8s %-9s %d%n", role.direction().name().toLowerCase(Locale.ROOT),
                role.protocol().name().toLowerCase(Locale.ROOT), role.port());
        }
        out.println();
        out.flush();
    }
}
