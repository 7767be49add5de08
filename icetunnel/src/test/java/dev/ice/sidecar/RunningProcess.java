package dev.ice.sidecar;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A long-running child process (a sidecar, tcpdump, a listener) whose output, standard error included, is read
 * line by line as it comes, kept in memory and copied to a log file.
 *
 * <p>Tests wait for a line with {@link #awaitLine}, which wakes as soon as the line is read: a test can act the
 * moment a sidecar says {@code ready}. {@link #close()} stops the process whatever happened to the test.
 */
final class RunningProcess implements AutoCloseable {

    private static final Duration GRACE = Duration.ofSeconds(10);

    private final String name;
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    private RunningProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.reader = Thread.ofVirtual().start(() -> copyLines(log));
    }

    /**
     * Starts a process.
     *
     * @param name what to call it in failure messages
     * @param command the program and its arguments
     * @param env variables added to its environment
     * @param log where its output is copied
     * @return the running process
     */
    static RunningProcess start(String name, List<String> command, Map<String, String> env, Path log) {
        ProcessBuilder builder = Commands.builder(command, env).redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        return new RunningProcess(name, Commands.start(builder), log);
    }

    /** @return the process id; ip netns exec and bin/icetunnel both exec, so a sidecar's is the JVM's own */
    long pid() {
        return process.pid();
    }

    /** @return whether it still runs */
    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits for a line containing the text.
     *
     * @param text what the line contains
     * @param timeout how long to wait
     * @return the first such line
     * @throws AssertionError when the time runs out or the process ends first, with its output
     */
    String awaitLine(String text, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        synchronized (lines) {
            while (true) {
                for (String line : lines) {
                    if (line.contains(text)) {
                        return line;
                    }
                }
                long left = Duration.between(Instant.now(), deadline).toMillis();
                if (left <= 0 || !reader.isAlive()) {
                    throw new AssertionError(name + " printed no line with '" + text + "' within "
                        + timeout.toSeconds() + " s" + (reader.isAlive() ? "" : " (it exited)") + ":\n" + output());
                }
                waitForLines(left);
            }
        }
    }

    /** @return everything it printed so far */
    String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    /** @return how many of its lines so far contain the text */
    long countLines(String text) {
        synchronized (lines) {
            return lines.stream().filter(line -> line.contains(text)).count();
        }
    }

    /**
     * Waits for the process to exit by itself.
     *
     * @param timeout how long to wait
     * @return its exit status
     * @throws AssertionError when it still runs after the timeout
     */
    int awaitExit(Duration timeout) {
        if (!Commands.waitFor(process, timeout)) {
            throw new AssertionError(name + " still ran after " + timeout.toSeconds() + " s:\n" + output());
        }
        awaitOutputEnd();
        return process.exitValue();
    }

    /**
     * Sends SIGTERM and waits for the exit.
     *
     * @return its exit status
     * @throws AssertionError when it still runs 10 s later
     */
    int terminate() {
        // Through the handle: Process.destroy() also closes the pipe, and the last lines (tcpdump's packet counts,
        // a sidecar's "stopping") would be lost.
        process.toHandle().destroy();
        return awaitExit(GRACE);
    }

    /** Sends SIGKILL, which nothing can handle, and waits for the exit. */
    void killHard() {
        process.toHandle().destroyForcibly();
        awaitExit(GRACE);
    }

    /** Stops it if it still runs: SIGTERM, then SIGKILL for it and anything it started after the grace time. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.toHandle().destroy();
            if (!Commands.waitFor(process, GRACE)) {
                Commands.kill(process);
            }
        }
        awaitOutputEnd();
    }

    private void awaitOutputEnd() {
        try {
            reader.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void waitForLines(long millis) {
        try {
            lines.wait(Math.min(millis, 200));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + name, e);
        }
    }

    private void copyLines(Path log) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
                Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.write(line + "\n");
                out.flush();
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the output of " + name, e);
        } finally {
            synchronized (lines) {
                lines.notifyAll();
            }
        }
    }
}
