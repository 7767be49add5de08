package dev.ice.netfilter;

import dev.ice.netfilter.internal.ProcessCommandRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one external command (iptables-restore, nft, ...) and reports how it ended.
 *
 * <p>Everything this module does to netfilter goes through a runner, so that tests can check the batches without
 * root, and so that a caller can run every command in another network namespace with
 * {@code prefixedWith("ip", "netns", "exec", name)}.
 */
@FunctionalInterface
public interface CommandRunner {

    /** How long {@link #local()} lets one command run before killing it. */
    Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Runs a command to completion.
     *
     * <p>A runner does not throw when the command fails: a program that cannot be started is reported with exit
     * code {@link CommandResult#NOT_FOUND}, one that runs too long with {@link CommandResult#TIMED_OUT}.
     *
     * @param command the program and its arguments, never passed through a shell
     * @param input what to write to the command's standard input; empty for none
     * @return the exit code and the output
     */
    CommandResult run(List<String> command, String input);

    /**
     * @return a runner that starts processes in this JVM's own network namespace, killing any that runs longer than
     *     {@link #DEFAULT_TIMEOUT}
     */
    static CommandRunner local() {
        return new ProcessCommandRunner(DEFAULT_TIMEOUT);
    }

    /**
     * Returns a runner that puts words before every command, e.g. {@code ip netns exec NAME}.
     *
     * @param prefix the words to put first
     * @return a runner running {@code prefix + command} through this one
     */
    default CommandRunner prefixedWith(String... prefix) {
        List<String> words = List.of(prefix);
        return (command, input) -> {
            List<String> full = new ArrayList<>(words);
            full.addAll(command);
            return run(full, input);
        };
    }
}
