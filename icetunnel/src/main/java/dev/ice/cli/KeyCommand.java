package dev.ice.cli;

import java.io.PrintWriter;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.Callable;

import dev.ice.tunnel.key.KeyFile;
import dev.ice.tunnel.key.KeyRing;
import dev.ice.tunnel.key.KeySource;
import dev.ice.tunnel.key.PresharedKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code icetunnel key}: make a key, or show the raw keys that configured ones stand for. */
@Command(name = "key", mixinStandardHelpOptions = true, description = "Generate or derive pre-shared keys.",
    subcommands = {KeyCommand.Generate.class, KeyCommand.Derive.class})
final class KeyCommand {

    private static final int GENERATED_KEY_BYTES = 32;

    @ParentCommand
    IceTunnel parent;

    /** Prints a fresh random 32-byte key in the hex: form, or a key file line with an identity. */
    @Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Print a new random 32-byte key, ready for ICE_PRESHARED_KEY, or with --identity a line for "
            + "a key file.")
    static final class Generate implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--identity", paramLabel = "NAME",
            description = "Print NAME:hex:... , a line for ICE_PRESHARED_KEY_FILE, e.g. --identity ice-2027.")
        String identity;

        @Override
        public Integer call() {
            if (identity != null && !KeyFile.isValidIdentity(identity)) {
                throw new IllegalArgumentException("--identity '" + identity + "': an identity holds no colon or "
                    + "whitespace and is neither 'hex' nor 'base64'; use e.g. ice-2027");
            }
            byte[] key = new byte[GENERATED_KEY_BYTES];
            new SecureRandom().nextBytes(key);
            String prefix = identity == null ? "" : identity + ":";
            spec.commandLine().getOut().println(prefix + "hex:" + HexFormat.of().formatHex(key));
            Arrays.fill(key, (byte) 0);
            return 0;
        }
    }

    /**
     * Prints the raw keys the environment's keys stand for, as OpenSSL's -psk and stunnel's PSKsecrets want them.
     */
    @Command(name = "derive", mixinStandardHelpOptions = true,
        description = {"Print the raw PSK in hex that ICE_PRESHARED_KEY (or _FILE) and ICE_PSK_IDENTITY stand "
            + "for, for OpenSSL (-psk) and stunnel (PSKsecrets) peers.",
            "A key file of several identity:key lines gives one identity:hex line per key, as stunnel's PSKsecrets "
            + "reads them."})
    static final class Derive implements Callable<Integer> {

        @ParentCommand
        KeyCommand key;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            KeyRing ring = KeySource.keyRing(key.parent.environment(),
                warning -> err.println("icetunnel: warning: " + warning));
            // One key prints the bare hex that OpenSSL's -psk takes; several need their identities beside them.
            boolean withIdentities = ring.keys().size() > 1;
            for (PresharedKey psk : ring.keys()) {
                byte[] raw = psk.keyBytes();
                String prefix = withIdentities ? psk.identity() + ":" : "";
                spec.commandLine().getOut().println(prefix + HexFormat.of().formatHex(raw));
                Arrays.fill(raw, (byte) 0);
            }
            ring.destroy();
            return 0;
        }
    }
}
