package dev.ice.sidecar;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An example of examples/run.sh (the tunnel example's tests use it), brought up in network namespaces for a
 * scenario and removed after it: its {@code env} output, its logs, and commands run inside its namespaces.
 */
final class TunnelExample implements AutoCloseable {

    private static final Path ROOT = Path.of(System.getProperty("ice.root", "."));
    private static final Duration UP_TIMEOUT = Duration.ofSeconds(240);

    private final String name;
    private final Map<String, String> env;

    private TunnelExample(String name, Map<String, String> env) {
        this.name = name;
        this.env = env;
    }

    /**
     * Runs {@code examples/run.sh up NAME} and reads {@code env}.
     *
     * @param name the example
     * @param settings extra environment for run.sh, e.g. ICE_EXAMPLE_PROXY_PROTOCOL=1
     * @return the running example
     */
    static TunnelExample up(String name, Map<String, String> settings) throws IOException, InterruptedException {
        RunResult up = runSh(settings, UP_TIMEOUT, "up", name);
        if (up.status() != 0) {
            runSh(Map.of(), UP_TIMEOUT, "down", name);
            throw new AssertionError("run.sh up " + name + " failed with " + up.status() + ":\n" + up.output());
        }
        return new TunnelExample(name, parseEnv(runSh(Map.of(), Duration.ofSeconds(30), "env", name).output()));
    }

    /** @return a value of {@code run.sh env}, e.g. ICE_ADDR_SERVER */
    String get(String key) {
        String value = env.get(key);
        if (value == null) {
            throw new AssertionError("run.sh env " + name + " has no " + key + ": " + env);
        }
        return value;
    }

    /** @return a log file's text, or "" before it exists */
    String log(String key) throws IOException {
        Path file = Path.of(get(key));
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    /** @return the lines of a log that contain the text */
    List<String> logLines(String key, String text) throws IOException {
        return log(key).lines().filter(line -> line.contains(text)).toList();
    }

    /**
     * Waits until a log holds at least {@code count} lines containing {@code text}.
     *
     * @return the lines
     */
    List<String> awaitLogLines(String key, String text, int count, Duration timeout)
            throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        List<String> lines = logLines(key, text);
        while (lines.size() < count && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
            lines = logLines(key, text);
        }
        if (lines.size() < count) {
            throw new AssertionError(lines.size() + " of " + count + " lines with '" + text + "' in " + get(key)
                + " after " + timeout + "; its end:\n" + tail(log(key)));
        }
        return lines;
    }

    /** @return a process builder for a command inside a role's namespace, e.g. {@code inside("CLIENT", ...)} */
    ProcessBuilder inside(String role, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", get("ICE_NS_" + role)));
        full.addAll(List.of(command));
        return new ProcessBuilder(full);
    }

    /** Runs a short command inside a namespace and returns its output; fails the test if it takes over 30 s. */
    String run(String role, byte[] input, String... command) throws IOException, InterruptedException {
        Process process = inside(role, command).redirectErrorStream(true).start();
        try (var in = process.getOutputStream()) {
            in.write(input);
        }
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("still running after 30 s: " + String.join(" ", command));
        }
        return new String(output, StandardCharsets.ISO_8859_1);
    }

    /** Runs {@code run.sh down}, which removes processes, namespaces and veth pairs. */
    @Override
    public void close() throws IOException, InterruptedException {
        RunResult down = runSh(Map.of(), UP_TIMEOUT, "down", name);
        if (down.status() != 0) {
            throw new AssertionError("run.sh down " + name + " failed:\n" + down.output());
        }
    }

    static String tail(String text) {
        List<String> lines = text.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    private static Map<String, String> parseEnv(String output) {
        Map<String, String> values = new HashMap<>();
        output.lines().filter(line -> line.contains("=")).forEach(line -> {
            int equals = line.indexOf('=');
            values.put(line.substring(0, equals), line.substring(equals + 1));
        });
        return values;
    }

    private record RunResult(int status, String output) {
    }

    private static RunResult runSh(Map<String, String> settings, Duration timeout, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("examples/run.sh").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(settings);
        Path output = Files.createTempFile("ice-run-sh", ".txt");
        try {
            Process process = builder.redirectOutput(output.toFile()).start();
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("run.sh " + String.join(" ", args) + " still running after " + timeout);
            }
            return new RunResult(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
