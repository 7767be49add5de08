package dev.ice.sidecar;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One of ICE's examples, run by {@code examples/run.sh}: namespaces on the bridge ice-br0 with real services and,
 * unless asked otherwise, sidecars that are ready when {@link #up} returns. {@link #close()} runs
 * {@code run.sh down}, which stops every process inside the example's namespaces, the test's own included.
 */
final class Example implements AutoCloseable {

    private static final Path RUN_SH = Commands.ROOT.resolve("examples/run.sh");

    /** up waits up to 30 s for services and sidecars; installing missing packages may take longer. */
    private static final Duration UP_TIMEOUT = Duration.ofSeconds(120);

    /** down gives each process 10 s after SIGTERM. */
    private static final Duration DOWN_TIMEOUT = Duration.ofSeconds(60);

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    private final String name;
    private final Map<String, String> env;

    private Example(String name, Map<String, String> env) {
        this.name = name;
        this.env = env;
    }

    /**
     * Brings an example up with its sidecars, or fails after removing whatever it built.
     *
     * @param name nginx or mqtt
     * @param ipv6 whether the namespaces get 2001:db8:: addresses too, which the clients then use
     * @return the running example
     */
    static Example up(String name, boolean ipv6) {
        return up(name, Map.of("ICE_EXAMPLE_IPV6", ipv6 ? "1" : "0"));
    }

    /**
     * Brings an example up with its services but no sidecars, so that a test can start its own.
     *
     * @param name nginx or mqtt
     * @return the running example
     */
    static Example upWithoutSidecars(String name) {
        return up(name, Map.of("ICE_EXAMPLE_IPV6", "0", "ICE_EXAMPLE_UNSAFE_NO_SIDECARS", "1"));
    }

    private static Example up(String name, Map<String, String> settings) {
        Map<String, String> upEnv = new HashMap<>(settings);
        upEnv.put("ICE_EXAMPLE_READY_TIMEOUT", "30");
        try {
            Commands.run(UP_TIMEOUT, List.of(RUN_SH.toString(), "up", name), upEnv, "").requireSuccess();
            return new Example(name, readEnv(name));
        } catch (AssertionError | RuntimeException e) {
            // up removes what it built when it fails, but not when it was killed for taking too long.
            down(name);
            throw e;
        }
    }

    /**
     * A value of {@code run.sh env}, e.g. ICE_NS_CLIENT.
     *
     * @param key the variable
     * @return its value
     */
    String env(String key) {
        String value = env.get(key);
        if (value == null) {
            throw new AssertionError("run.sh env " + name + " has no " + key + ": " + env);
        }
        return value;
    }

    /**
     * Runs a command in one of the example's namespaces, whatever its status.
     *
     * @param role the role whose namespace, e.g. CLIENT for ICE_NS_CLIENT
     * @param command the program and its arguments
     * @return how it ended
     */
    Commands.Result run(String role, String... command) {
        String namespace = env("ICE_NS_" + role);
        return Commands.run(COMMAND_TIMEOUT, Commands.inNamespace(namespace, command), Map.of(), "");
    }

    /**
     * The log of a role's sidecar, as run.sh keeps it.
     *
     * @param role e.g. CLIENT
     * @return its lines so far
     */
    List<String> sidecarLog(String role) {
        Path log = Path.of(env("ICE_SIDECAR_LOG_" + role));
        try {
            return Files.readAllLines(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits up to 10 s for a line in a role's sidecar log.
     *
     * @param role e.g. SERVER
     * @param what the line sought, for the failure message
     * @param wanted tells the line
     * @return the first such line
     */
    String awaitSidecarLog(String role, String what, Predicate<String> wanted) {
        Instant deadline = Instant.now().plusSeconds(10);
        while (Instant.now().isBefore(deadline)) {
            for (String line : sidecarLog(role)) {
                if (wanted.test(line)) {
                    return line;
                }
            }
            Commands.pause(Duration.ofMillis(50));
        }
        throw new AssertionError("no " + what + " in the " + role + " sidecar's log:\n"
            + String.join("\n", sidecarLog(role)));
    }

    /** Removes the example: processes, namespaces, veth pairs, and the bridge if no other example uses it. */
    @Override
    public void close() {
        down(name);
    }

    private static void down(String name) {
        Commands.run(DOWN_TIMEOUT, RUN_SH.toString(), "down", name).requireSuccess();
    }

    private static Map<String, String> readEnv(String name) {
        String text = Commands.run(COMMAND_TIMEOUT, RUN_SH.toString(), "env", name).requireSuccess().stdout();
        Map<String, String> values = new HashMap<>();
        for (String line : text.lines().toList()) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                values.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        return Map.copyOf(values);
    }
}
