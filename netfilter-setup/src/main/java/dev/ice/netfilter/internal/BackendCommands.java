package dev.ice.netfilter.internal;

import dev.ice.netfilter.Backend;
import dev.ice.netfilter.CommandResult;
import dev.ice.netfilter.CommandRunner;
import dev.ice.netfilter.NetfilterException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a backend's commands and turns a failure into a {@link NetfilterException} naming the backend, the command
 * and what the tool printed.
 */
final class BackendCommands {

    private static final Logger LOG = LoggerFactory.getLogger("ice.netfilter");

    /** iptables-restore names the batch line it choked on; the message quotes that line. */
    private static final Pattern FAILED_LINE = Pattern.compile("Error occurred at line: (\\d{1,9})");

    private final Backend backend;
    private final CommandRunner runner;

    BackendCommands(Backend backend, CommandRunner runner) {
        this.backend = backend;
        this.runner = runner;
    }

    /**
     * Runs a command that must succeed.
     *
     * @param command the program and its arguments
     * @param input the batch to feed it, or empty
     * @return what the command printed on standard output
     * @throws NetfilterException when it fails or cannot be started
     */
    String run(List<String> command, String input) {
        CommandResult result = attempt(command, input);
        if (!result.succeeded()) {
            throw failure(command, input, result);
        }
        return result.stdout();
    }

    /**
     * Runs a command whose failure the caller handles.
     *
     * @param command the program and its arguments
     * @param input the batch to feed it, or empty
     * @return how it ended
     */
    CommandResult attempt(List<String> command, String input) {
        LOG.debug("{}: running '{}'{}", backend, String.join(" ", command), input.isEmpty() ? "" : " with\n" + input);
        CommandResult result = runner.run(command, input);
        LOG.debug("{}: '{}' exited with {}", backend, command.getFirst(), result.exitCode());
        return result;
    }

    private NetfilterException failure(List<String> command, String input, CommandResult result) {
        String stderr = result.stderr().isBlank() ? "(no error output)" : result.stderr().strip();
        String message = backend + " backend: '" + String.join(" ", command) + "' failed with exit code "
            + result.exitCode() + ": " + stderr + quoteFailedLine(result.stderr(), input) + hint(result);
        return new NetfilterException(message);
    }

    private static String quoteFailedLine(String stderr, String input) {
        Matcher matcher = FAILED_LINE.matcher(stderr);
        List<String> lines = input.lines().toList();
        if (!matcher.find()) {
            return "";
        }
        int number = Integer.parseInt(matcher.group(1));
        return number >= 1 && number <= lines.size() ? " (batch line " + number + ": " + lines.get(number - 1) + ")"
            : "";
    }

    private String hint(CommandResult result) {
        if (result.exitCode() != CommandResult.NOT_FOUND) {
            return "";
        }
        return "; install the tool (Debian packages iptables and nftables) or choose another backend with"
            + " ICE_NETFILTER_BACKEND";
    }
}
