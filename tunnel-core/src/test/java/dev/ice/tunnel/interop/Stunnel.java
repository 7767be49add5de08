package dev.ice.tunnel.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.regex.Pattern;

import dev.ice.tunnel.key.KeySpec;
import dev.ice.tunnel.key.PresharedKey;

/**
 * Runs stunnel 5 as a TLS 1.3 PSK client or server on loopback, one service per process, in the foreground.
 *
 * <p>How stunnel reads a {@code PSKsecrets} line {@code IDENTITY:KEY} (stunnel(8), checked with stunnel 5.68):
 * a KEY made only of hex digits, an even number of them, is decoded to bytes ("16-byte hexadecimal key" in its
 * log); any other KEY is used as its raw text bytes ("33-byte ASCII key"). Either way it needs 16 bytes or more.
 */
final class Stunnel {

    // stunnel logs at info level the port it bound for "accept = 127.0.0.1:0".
    private static final Pattern BOUND =
        Pattern.compile("Service \\[ice\\] \\(FD=\\d+\\) bound to 127\\.0\\.0\\.1:(\\d+)");

    private Stunnel() {
    }

    /** A key as a stunnel PSKsecrets line holds it, and the same key as ICE holds it. */
    record SharedKey(String secretsLine, PresharedKey iceKey) {

        /** @return a key of 40 letters and digits after "ice-": not hex, so stunnel takes its text bytes */
        static SharedKey text() {
            String text = "ice-" + Interop.randomText(40);
            return new SharedKey(Interop.IDENTITY + ":" + text,
                new PresharedKey(Interop.IDENTITY, text.getBytes(StandardCharsets.US_ASCII)));
        }

        /** @return a 32-byte key written as 64 hex digits, which ICE reads as "hex:..." and stunnel decodes */
        static SharedKey hex() {
            String digits = HexFormat.of().formatHex(Interop.randomBytes(32));
            PresharedKey iceKey = KeySpec.parse("hex:" + digits, Interop.IDENTITY, "test", warning -> { });
            return new SharedKey(Interop.IDENTITY + ":" + digits, iceKey);
        }
    }

    /** Starts stunnel accepting plaintext and connecting with TLS 1.3 PSK to a port. */
    static ExternalPeer client(Path dir, String secretsLine, int connectPort) throws IOException {
        return start(dir, secretsLine, connectPort, true);
    }

    /** Starts stunnel accepting TLS 1.3 PSK, without a certificate, and connecting in plaintext to a port. */
    static ExternalPeer server(Path dir, String secretsLine, int connectPort) throws IOException {
        return start(dir, secretsLine, connectPort, false);
    }

    /** @return the port stunnel accepts on, once it does */
    static int awaitAcceptPort(ExternalPeer stunnel) throws InterruptedException {
        return Integer.parseInt(stunnel.awaitStderrLine(BOUND, Interop.STEP).group(1));
    }

    private static ExternalPeer start(Path dir, String secretsLine, int connectPort, boolean client)
            throws IOException {
        Path secrets = dir.resolve("psk.txt");
        // stunnel warns about a secrets file that others can read; give it the mode a real one would have.
        Files.writeString(secrets, secretsLine + "\n", StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rw-------"));

        Path config = dir.resolve("stunnel.conf");
        Files.writeString(config, String.join("\n",
            "foreground = yes",
            "syslog = no",
            "debug = info",
            "pid = " + dir.resolve("stunnel.pid"),
            "socket = l:TCP_NODELAY=1",
            "socket = r:TCP_NODELAY=1",
            "[ice]",
            "client = " + (client ? "yes" : "no"),
            "accept = 127.0.0.1:0",
            "connect = 127.0.0.1:" + connectPort,
            "PSKsecrets = " + secrets,
            "sslVersionMin = TLSv1.3",
            ""), StandardCharsets.US_ASCII);
        return ExternalPeer.start(Interop.STUNNEL, config.toString());
    }
}
