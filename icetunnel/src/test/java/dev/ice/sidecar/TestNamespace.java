package dev.ice.sidecar;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * A network namespace of the test's own, with only loopback up, so that a sidecar's rules never reach the machine's
 * namespace. {@link #close()} kills what still runs inside and deletes it, whether the test passed or not.
 */
final class TestNamespace implements AutoCloseable {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    /** The save tools of both iptables variants and both families: each lists only the rules it wrote. */
    private static final List<String> SAVE_TOOLS = List.of("iptables-nft-save", "ip6tables-nft-save",
        "iptables-legacy-save", "ip6tables-legacy-save");

    private final String name;

    private TestNamespace(String name) {
        this.name = name;
    }

    /** @return a fresh namespace named ice-it-RANDOM, loopback up */
    static TestNamespace create() {
        byte[] random = new byte[4];
        ThreadLocalRandom.current().nextBytes(random);
        TestNamespace namespace = new TestNamespace("ice-it-" + HexFormat.of().formatHex(random));
        Commands.run(COMMAND_TIMEOUT, "ip", "netns", "add", namespace.name).requireSuccess();
        try {
            namespace.run("ip", "link", "set", "lo", "up");
        } catch (AssertionError e) {
            namespace.close();
            throw e;
        }
        return namespace;
    }

    /** @return its name, for ip netns exec */
    String name() {
        return name;
    }

    /**
     * Runs a command inside that must succeed.
     *
     * @param command the program and its arguments
     * @return its standard output
     */
    String run(String... command) {
        return Commands.run(COMMAND_TIMEOUT, Commands.inNamespace(name, command).toArray(String[]::new))
            .requireSuccess().stdout();
    }

    /**
     * The whole ruleset as one backend's tools list it: {@code nft list ruleset}, or both families' save output of
     * the iptables variant without comments (they hold timestamps) and with counters zeroed (they move).
     *
     * @param backend nftables, iptables-nft or iptables-legacy
     * @return the ruleset
     */
    String ruleset(String backend) {
        if (backend.equals("nftables")) {
            return run("nft", "list", "ruleset");
        }
        String variant = backend.substring("iptables-".length());
        return (run("iptables-" + variant + "-save") + run("ip6tables-" + variant + "-save")).lines()
            .filter(line -> !line.startsWith("#"))
            .map(line -> line.replaceAll("\\[\\d+:\\d+]", "[0:0]"))
            .collect(Collectors.joining("\n"));
    }

    /**
     * Looks for ICE's rules with every tool, whichever backend wrote them.
     *
     * @return what was found, one entry per tool that shows some; empty when none is left
     */
    List<String> iceRules() {
        List<String> found = new ArrayList<>();
        if (run("nft", "list", "tables").lines().anyMatch(line -> line.strip().equals("table inet ice"))) {
            found.add("nft list tables shows table inet ice:\n" + run("nft", "list", "table", "inet", "ice"));
        }
        for (String tool : SAVE_TOOLS) {
            String saved = run(tool);
            if (saved.contains("ICE_")) {
                found.add(tool + " shows ICE_ chains:\n" + saved);
            }
        }
        return found;
    }

    /** Kills what still runs inside (only this test's processes can be there), then deletes the namespace. */
    @Override
    public void close() {
        Commands.Result pids = Commands.run(COMMAND_TIMEOUT, "ip", "netns", "pids", name);
        for (String pid : pids.stdout().lines().toList()) {
            ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
        }
        Commands.run(COMMAND_TIMEOUT, "ip", "netns", "del", name);
    }
}
