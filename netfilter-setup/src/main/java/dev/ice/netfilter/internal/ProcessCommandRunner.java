package dev.ice.netfilter.internal;

import dev.ice.netfilter.CommandResult;
import dev.ice.netfilter.CommandRunner;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs commands as child processes of this JVM, with a time limit.
 *
 * <p>Standard output and standard error are read on their own virtual threads while the input is written, so a
 * command that prints a lot (iptables-save of a large ruleset) cannot block on a full pipe.
 */
public final class ProcessCommandRunner implements CommandRunner {

    private final Duration timeout;

    /**
     * @param timeout how long a command may run before it is killed
     */
    public ProcessCommandRunner(Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    public CommandResult run(List<String> command, String input) {
        Process process;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            return new CommandResult(CommandResult.NOT_FOUND, "",
                command.getFirst() + ": command not found (" + e.getMessage() + ")");
        }
        CompletableFuture<String> stdout = readAll(process.getInputStream());
        CompletableFuture<String> stderr = readAll(process.getErrorStream());
        writeInput(process, input);
        return awaitExit(process, stdout, stderr);
    }

    private CommandResult awaitExit(Process process, CompletableFuture<String> stdout,
            CompletableFuture<String> stderr) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                return new CommandResult(CommandResult.TIMED_OUT, rest(stdout),
                    rest(stderr) + "killed after running longer than " + timeout.toSeconds() + " s");
            }
            return new CommandResult(process.exitValue(), rest(stdout), rest(stderr));
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            return new CommandResult(CommandResult.TIMED_OUT, "", "interrupted while waiting for the command");
        }
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /**
     * What an ended command printed. A grandchild it left behind may hold the pipe open, so the end of the output is
     * awaited for a second at most; the netfilter tools leave none.
     */
    private static String rest(CompletableFuture<String> output) {
        return output.completeOnTimeout("", 1, TimeUnit.SECONDS).join();
    }

    private static void writeInput(Process process, String input) {
        try (OutputStream in = process.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // A command that exits without reading its input closes the pipe; its exit code tells what happened.
        }
    }

    private static CompletableFuture<String> readAll(InputStream stream) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (stream) {
                text.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.completeExceptionally(new UncheckedIOException(e));
            }
        });
        return text;
    }
}
