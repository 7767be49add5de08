package dev.ice.sidecar;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the programs the sidecar scenarios drive (examples/run.sh, ip, curl, nft, iptables) as child processes,
 * each with a time limit, so that a hung tool fails its test instead of hanging the build.
 *
 * <p>Children get the test's environment without any ICE_* variable of the caller's shell, so that a developer's
 * own ICE_PRESHARED_KEY or ICE_EXAMPLE_IPV6 cannot change what a scenario does.
 */
final class Commands {

    /** The repository root, which failsafe passes as the system property ice.root. */
    static final Path ROOT = Path.of(System.getProperty("ice.root", "..")).toAbsolutePath().normalize();

    /** bin/icetunnel of this checkout. */
    static final String ICETUNNEL = ROOT.resolve("bin/icetunnel").toString();

    /** Where Debian keeps ip, nft and the iptables tools; a non-login root shell may lack them in its PATH. */
    private static final List<String> SBIN = List.of("/usr/sbin", "/sbin");

    private Commands() {
    }

    /**
     * How a command ended.
     *
     * @param command what ran
     * @param exitCode its exit status
     * @param stdout what it wrote to standard output
     * @param stderr what it wrote to standard error
     */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {

        /** @return this result, if the command exited 0 */
        Result requireSuccess() {
            if (exitCode != 0) {
                throw new AssertionError(describe());
            }
            return this;
        }

        /** @return the command, its status and its output, for a failure message */
        String describe() {
            return "'" + String.join(" ", command) + "' exited " + exitCode + "\n--- stdout:\n" + stdout
                + "\n--- stderr:\n" + stderr;
        }
    }

    /**
     * Runs a command to its end.
     *
     * @param timeout how long it may run; past that it is killed and the test fails
     * @param command the program and its arguments
     * @return how it ended
     */
    static Result run(Duration timeout, String... command) {
        return run(timeout, List.of(command), Map.of(), "");
    }

    /**
     * Runs a command to its end.
     *
     * @param timeout how long it may run; past that it is killed and the test fails
     * @param command the program and its arguments
     * @param env variables added to the child's environment
     * @param input what to write to its standard input
     * @return how it ended
     */
    static Result run(Duration timeout, List<String> command, Map<String, String> env, String input) {
        Process process = start(builder(command, env));
        CompletableFuture<String> stdout = readAll(process.getInputStream());
        CompletableFuture<String> stderr = readAll(process.getErrorStream());
        write(process, input);
        if (!waitFor(process, timeout)) {
            kill(process);
            throw new AssertionError("'" + String.join(" ", command) + "' still ran after " + timeout.toSeconds()
                + " s and was killed; its output so far:\n" + rest(stdout) + rest(stderr));
        }
        return new Result(List.copyOf(command), process.exitValue(), rest(stdout), rest(stderr));
    }

    /**
     * @param namespace a network namespace
     * @param command the program and its arguments
     * @return the command that runs them inside the namespace
     */
    static List<String> inNamespace(String namespace, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(List.of(command));
        return full;
    }

    /**
     * A process builder with the hygiene above: the program found on PATH or in sbin, no inherited ICE_* variable,
     * and sbin on the child's PATH too (ip netns exec looks its command up there).
     *
     * @param command the program and its arguments
     * @param env variables added to the child's environment
     * @return the builder, not started
     */
    static ProcessBuilder builder(List<String> command, Map<String, String> env) {
        List<String> resolved = new ArrayList<>(command);
        resolved.set(0, executable(command.getFirst()));
        ProcessBuilder builder = new ProcessBuilder(resolved);
        Map<String, String> childEnv = builder.environment();
        childEnv.keySet().removeIf(name -> name.startsWith("ICE_"));
        childEnv.put("PATH", childEnv.getOrDefault("PATH", "/usr/bin:/bin") + ":" + String.join(":", SBIN));
        childEnv.putAll(env);
        return builder;
    }

    /**
     * Starts a process, failing the test if it cannot.
     *
     * @param builder what to start
     * @return the process
     */
    static Process start(ProcessBuilder builder) {
        try {
            return builder.start();
        } catch (IOException e) {
            throw new AssertionError("cannot start " + builder.command() + " (the namespace scenarios need root, "
                + "iproute2, nftables, iptables, tcpdump, curl, nginx and mosquitto)", e);
        }
    }

    /**
     * Waits for a process to exit, at most a while.
     *
     * @param process the process
     * @param timeout how long to wait
     * @return whether it exited
     */
    static boolean waitFor(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Kills a process and everything it started, and waits for it a little. Its output stays readable: unlike
     * Process.destroyForcibly(), the handle's does not close the pipes, so what it printed can still be reported.
     *
     * @param process the process
     */
    static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.toHandle().destroyForcibly();
        waitFor(process, Duration.ofSeconds(5));
    }

    /**
     * Sleeps, failing the test if interrupted (as a timeout does).
     *
     * @param duration how long
     */
    static void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * Java starts a program found on the JVM's own PATH, not the child's, so the program is looked up here.
     */
    private static String executable(String program) {
        if (program.contains("/")) {
            return program;
        }
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.concat(Stream.of(path.split(File.pathSeparator)), SBIN.stream())
            .filter(dir -> !dir.isEmpty())
            .map(dir -> Path.of(dir, program))
            .filter(Files::isExecutable)
            .findFirst()
            .map(Path::toString)
            .orElse(program);
    }

    private static void write(Process process, String input) {
        try (OutputStream in = process.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // A command that exits without reading its input closes the pipe; its status tells what happened.
        }
    }

    /** A daemon the command started may hold the pipe open, so the end of the output is awaited briefly. */
    private static String rest(CompletableFuture<String> output) {
        return output.completeOnTimeout("", 2, TimeUnit.SECONDS).join();
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
