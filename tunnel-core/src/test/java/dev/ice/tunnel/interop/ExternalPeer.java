package dev.ice.tunnel.interop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.opentest4j.AssertionFailedError;

/**
 * A TLS program that nobody here wrote (openssl, stunnel), run as a peer for one test and stopped when closed.
 *
 * <p>Its stdout and stderr are read as they come, so that a test can wait for a line or for a number of bytes
 * with a deadline instead of sleeping, and so that a failed assertion can show what the program said.
 *
 * <p>Every command runs under coreutils' {@code timeout}: if the JVM dies before {@link #close()}, the program
 * is still killed after {@link #LIFETIME}.
 */
final class ExternalPeer implements AutoCloseable {

    /** The longest any peer may live, whatever happens to the test JVM. */
    static final Duration LIFETIME = Duration.ofSeconds(90);

    private final String name;
    private final Process process;
    private final Capture stdout = new Capture();
    private final Capture stderr = new Capture();

    private ExternalPeer(String name, Process process) {
        this.name = name;
        this.process = process;
    }

    /**
     * Starts a program with its stdin, stdout and stderr connected to this object.
     *
     * @param command the program and its arguments
     * @return the running peer
     * @throws IOException if the program cannot start
     */
    static ExternalPeer start(String... command) throws IOException {
        List<String> bounded = new ArrayList<>(List.of("timeout", "--signal=KILL", LIFETIME.toSeconds() + "s"));
        bounded.addAll(Arrays.asList(command));
        Process process = new ProcessBuilder(bounded).start();
        ExternalPeer peer = new ExternalPeer(Path.of(command[0]).getFileName().toString(), process);
        peer.stdout.pump(process.getInputStream());
        peer.stderr.pump(process.getErrorStream());
        return peer;
    }

    /** @return whether a program can be run from this path, so that a test can skip when it is missing */
    static boolean isInstalled(String path) {
        return Files.isExecutable(Path.of(path));
    }

    /**
     * Writes to the program's stdin, leaving it open.
     *
     * @throws AssertionFailedError with the transcript if the program has stopped reading, e.g. because it exited
     */
    void send(byte[] data) {
        try {
            OutputStream stdin = process.getOutputStream();
            stdin.write(data);
            stdin.flush();
        } catch (IOException e) {
            throw new AssertionFailedError(name + " stopped reading its stdin\n" + transcript(), e);
        }
    }

    /**
     * Waits for a line of stdout matching a pattern.
     *
     * @return the match, for its groups
     * @throws AssertionFailedError naming the pattern and showing the transcript when the deadline passes first
     */
    Matcher awaitStdoutLine(Pattern line, Duration deadline) throws InterruptedException {
        return stdout.awaitLine(line, deadline, this);
    }

    /** Like {@link #awaitStdoutLine}, for stderr, where stunnel logs in the foreground. */
    Matcher awaitStderrLine(Pattern line, Duration deadline) throws InterruptedException {
        return stderr.awaitLine(line, deadline, this);
    }

    /**
     * Waits until stdout holds at least a number of bytes.
     *
     * @return everything read from stdout so far, which may be more than asked for
     */
    byte[] awaitStdout(int bytes, Duration deadline) throws InterruptedException {
        return stdout.awaitBytes(bytes, deadline, this);
    }

    /**
     * Waits for the program to exit by itself.
     *
     * @return its exit status
     * @throws AssertionFailedError if it is still running at the deadline
     */
    int awaitExit(Duration deadline) throws InterruptedException {
        if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionFailedError(name + " still running after " + deadline + "\n" + transcript());
        }
        // The program's last words may still be in the pipes: read them before anyone looks at the transcript.
        stdout.awaitEnd(deadline);
        stderr.awaitEnd(deadline);
        return process.exitValue();
    }

    /** @return what the program has written so far, for assertion messages */
    String transcript() {
        return "--- " + name + " stdout:\n" + stdout.text() + "--- " + name + " stderr:\n" + stderr.text();
    }

    /**
     * Stops the program and anything it started, and waits for them to go.
     *
     * <p>SIGTERM goes to {@code timeout}, which passes it on and reaps the program, so that no zombie is left to
     * a PID 1 that may not reap. Whatever is still running a few seconds later is killed.
     */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(3, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** One output stream of the program, read on a virtual thread into memory. */
    private static final class Capture {

        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private Thread reader;

        void pump(InputStream from) {
            reader = Thread.ofVirtual().start(() -> {
                byte[] buffer = new byte[8192];
                try (from) {
                    for (int n = from.read(buffer); n >= 0; n = from.read(buffer)) {
                        append(buffer, n);
                    }
                } catch (IOException closed) {
                    // The program was killed while we read: what was read stays available.
                }
            });
        }

        /** Waits for the end of the stream, which comes once the program and its children have exited. */
        void awaitEnd(Duration deadline) throws InterruptedException {
            if (!reader.join(deadline)) {
                throw new AssertionFailedError("an output pipe is still open after " + deadline);
            }
        }

        synchronized void append(byte[] buffer, int length) {
            bytes.write(buffer, 0, length);
            notifyAll();
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }

        synchronized byte[] awaitBytes(int wanted, Duration deadline, ExternalPeer peer) throws InterruptedException {
            long end = System.nanoTime() + deadline.toNanos();
            while (bytes.size() < wanted) {
                waitUntil(end, () -> "only " + bytes.size() + " of " + wanted + " bytes on stdout", peer);
            }
            return bytes.toByteArray();
        }

        synchronized Matcher awaitLine(Pattern line, Duration deadline, ExternalPeer peer)
                throws InterruptedException {
            long end = System.nanoTime() + deadline.toNanos();
            while (true) {
                // Only finished lines: a line still being written could match too early, e.g. half a port number.
                String text = text();
                for (String each : text.substring(0, text.lastIndexOf('\n') + 1).split("\n")) {
                    Matcher match = line.matcher(each);
                    if (match.find()) {
                        return match;
                    }
                }
                waitUntil(end, () -> "no line matching '" + line + "'", peer);
            }
        }

        private void waitUntil(long end, Supplier<String> problem, ExternalPeer peer)
                throws InterruptedException {
            long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
            if (left <= 0) {
                throw new AssertionFailedError(peer.name + ": " + problem.get() + " in time\n" + peer.transcript());
            }
            wait(left);
        }
    }
}
