package dev.ice.cli;

import java.io.PrintWriter;
import java.util.Map;

import dev.ice.tunnel.key.PresharedKeyException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code icetunnel}: ICE's command line. Explicit tunnels in the manner of stunnel, key tools, and a demo.
 *
 * <p>Usage errors and bad configuration exit 2 with one line that names the value and the fix.
 */
@Command(name = "icetunnel", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Encrypts TCP between services with TLS 1.3 and a pre-shared key.",
    subcommands = {ClientCommand.class, ServerCommand.class, SidecarCommand.class, RulesCommand.class,
        DemoCommand.class, KeyCommand.class,
        CommandLine.HelpCommand.class})
public final class IceTunnel {

    /** Exit status for a usage or configuration error, as picocli uses for bad options. */
    static final int USAGE_ERROR = 2;

    private final Map<String, String> environment;

    IceTunnel(Map<String, String> environment) {
        this.environment = environment;
    }

    /** @return the environment the commands read ICE_* settings from */
    Map<String, String> environment() {
        return environment;
    }

    /**
     * Runs icetunnel and exits with its status.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * Runs icetunnel in this process.
     *
     * @param args the command line
     * @param environment where ICE_* settings come from
     * @param out standard output
     * @param err standard error
     * @return the exit status
     */
    static int run(String[] args, Map<String, String> environment, PrintWriter out, PrintWriter err) {
        String badLevel = badLogLevel(environment);
        if (badLevel != null) {
            err.println("icetunnel: " + badLevel);
            err.flush();
            return USAGE_ERROR;
        }
        CommandLine commandLine = new CommandLine(new IceTunnel(environment));
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler((e, cl, parsed) -> {
            if (e instanceof PresharedKeyException || e instanceof IllegalArgumentException) {
                cl.getErr().println("icetunnel: " + e.getMessage());
                return USAGE_ERROR;
            }
            if (e instanceof StartupException) {
                cl.getErr().println("icetunnel: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        int status = commandLine.execute(args);
        // main exits the JVM next: what a command print()ed without a newline is still in the writers' buffers.
        out.flush();
        err.flush();
        return status;
    }

    // Logback reads these variables itself and quietly falls back to INFO on a typo: say so instead.
    private static String badLogLevel(Map<String, String> environment) {
        for (String name : new String[] {"ICE_LOG_LEVEL", "ICE_LOG_HANDSHAKE_LEVEL"}) {
            String value = environment.get(name);
            if (value != null && !value.strip().toUpperCase(java.util.Locale.ROOT)
                    .matches("TRACE|DEBUG|INFO|WARN|ERROR|OFF")) {
                return name + " '" + value + "' is not a log level; use TRACE, DEBUG, INFO, WARN, ERROR or OFF";
            }
        }
        return null;
    }
}
