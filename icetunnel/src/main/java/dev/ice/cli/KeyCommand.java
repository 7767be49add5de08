package dev.ice.cli;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.Callable;

import dev.ice.tunnel.key.KeySource;
import dev.ice.tunnel.key.PresharedKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code icetunnel key}: make a key, or show the raw key that a configured one stands for. */
@Command(name = "key", mixinStandardHelpOptions = true, description = "Generate or derive pre-shared keys.",
    subcommands = {KeyCommand.Generate.class, KeyCommand.Derive.class})
final class KeyCommand {

    @ParentCommand
    IceTunnel parent;

    /** Prints a fresh random 32-byte key in the hex: form. */
    @Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Print a new random 32-byte key, ready for ICE_PRESHARED_KEY.")
    static final class Generate implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            spec.commandLine().getOut().println("hex:" + HexFormat.of().formatHex(key));
            java.util.Arrays.fill(key, (byte) 0);
            return 0;
        }
    }

    /** Prints the raw key the environment's key stands for, as OpenSSL's -psk and stunnel's PSKsecrets want it. */
    @Command(name = "derive", mixinStandardHelpOptions = true,
        description = "Print the raw PSK in hex that ICE_PRESHARED_KEY (or _FILE) and ICE_PSK_IDENTITY stand "
            + "for, for OpenSSL (-psk) and stunnel (PSKsecrets) peers.")
    static final class Derive implements Callable<Integer> {

        @ParentCommand
        KeyCommand key;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PresharedKey psk = KeySource.fromEnvironment(key.parent.environment(),
                warning -> spec.commandLine().getErr().println("icetunnel: warning: " + warning));
            byte[] raw = psk.keyBytes();
            spec.commandLine().getOut().println(HexFormat.of().formatHex(raw));
            java.util.Arrays.fill(raw, (byte) 0);
            psk.destroy();
            return 0;
        }
    }
}
