package dev.ice.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

import dev.ice.tunnel.key.KeySource;
import dev.ice.tunnel.key.LiveKeyRing;
import dev.ice.tunnel.tls.TlsPolicy;
import picocli.CommandLine.Option;

/** Options shared by the client and server tunnels. The key itself is never an option. */
final class TunnelOptions {

    @Option(names = "--key-file", paramLabel = "PATH",
        description = "File of identity:key lines, the first offered, any accepted; reloaded on SIGHUP and when it "
            + "changes (default: $ICE_PRESHARED_KEY_FILE, else $ICE_PRESHARED_KEY).")
    Path keyFile;

    @Option(names = "--crypto-strategy", paramLabel = "ice|fernet",
        description = "ice (TLS 1.3 PSK) or fernet (a stream of Fernet tokens); both ends must agree "
            + "(default: $ICE_CRYPTO_STRATEGY, else ice).")
    String strategy;

    @Option(names = "--handshake-timeout", paramLabel = "DURATION", defaultValue = "10s",
        converter = DurationConverter.class, description = "Drop a connection whose handshake takes longer "
        + "(default: ${DEFAULT-VALUE}).")
    Duration handshakeTimeout;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", defaultValue = "0",
        converter = DurationConverter.class,
        description = "Close a connection idle this long in both directions; 0 turns it off (default).")
    Duration idleTimeout;

    @Option(names = "--tls12", description = "Also accept TLS 1.2 with ECDHE_PSK and DHE_PSK AES-GCM suites, "
        + "for peers without TLS 1.3.")
    boolean tls12;

    @Option(names = "--unsafe-tls12-plain-psk", description = "With --tls12, also allow the plain PSK suites, "
        + "which have no forward secrecy.")
    boolean unsafePlainPsk;

    /** @return the TLS policy the options describe */
    TlsPolicy policy() {
        if (unsafePlainPsk && !tls12) {
            throw new IllegalArgumentException("--unsafe-tls12-plain-psk needs --tls12 as well");
        }
        if (handshakeTimeout.isZero() || handshakeTimeout.isNegative()) {
            throw new IllegalArgumentException("--handshake-timeout '" + handshakeTimeout.toMillis()
                + "ms': give a positive duration, e.g. 10s");
        }
        return new TlsPolicy(tls12, unsafePlainPsk, handshakeTimeout);
    }

    /** @return the crypto strategy's setting: --crypto-strategy, else ICE_CRYPTO_STRATEGY, else ice */
    String strategy(Map<String, String> environment) {
        String value = strategy != null ? strategy : environment.getOrDefault("ICE_CRYPTO_STRATEGY", "ice");
        String normalised = value.strip().toLowerCase(java.util.Locale.ROOT);
        if (!normalised.equals("ice") && !normalised.equals("fernet")) {
            throw new IllegalArgumentException("--crypto-strategy '" + value + "' is not a strategy; use ice "
                + "(TLS 1.3 PSK) or fernet");
        }
        return normalised;
    }

    /** @return the keys from --key-file or the environment, reloadable when they come from a file */
    LiveKeyRing keys(Map<String, String> environment, Consumer<String> warnings) {
        if (keyFile != null) {
            return LiveKeyRing.fromFile(keyFile, KeySource.identity(environment), warnings);
        }
        return LiveKeyRing.fromEnvironment(environment, warnings);
    }
}
