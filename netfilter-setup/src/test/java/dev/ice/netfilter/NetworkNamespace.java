package dev.ice.netfilter;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace a test creates and deletes, so that no rule ever reaches the machine's own namespace.
 *
 * <p>Every command runs through {@code ip netns exec NAME}; {@link #close()} kills the processes started in it and
 * deletes it, whether the test passed or not.
 */
final class NetworkNamespace implements AutoCloseable {

    private static final CommandRunner HOST = CommandRunner.local();

    private final String name;
    private final CommandRunner runner;
    private final List<Process> processes = new ArrayList<>();

    private NetworkNamespace(String name) {
        this.name = name;
        this.runner = HOST.prefixedWith("ip", "netns", "exec", name);
    }

    /**
     * Creates a namespace with a random name and its loopback up.
     */
    static NetworkNamespace create() {
        byte[] random = new byte[4];
        ThreadLocalRandom.current().nextBytes(random);
        NetworkNamespace namespace = new NetworkNamespace("ice-nf-" + HexFormat.of().formatHex(random));
        check(HOST.run(List.of("ip", "netns", "add", namespace.name), ""), "ip netns add " + namespace.name);
        try {
            namespace.run("ip", "link", "set", "lo", "up");
        } catch (RuntimeException e) {
            namespace.close();
            throw e;
        }
        return namespace;
    }

    /**
     * Joins two namespaces with a veth pair, both ends named {@code ice0} and up, the pair created inside the first
     * namespace so that it never appears in the machine's own.
     */
    static void connect(NetworkNamespace first, NetworkNamespace second) {
        first.run("ip", "link", "add", "ice0", "type", "veth", "peer", "name", "ice0", "netns", second.name);
        first.run("ip", "link", "set", "ice0", "up");
        second.run("ip", "link", "set", "ice0", "up");
    }

    /**
     * Adds addresses to {@code ice0}; IPv6 ones skip duplicate address detection, which would delay them by seconds.
     */
    void address(String... cidrs) {
        for (String cidr : cidrs) {
            if (cidr.contains(":")) {
                run("ip", "-6", "addr", "add", cidr, "dev", "ice0", "nodad");
            } else {
                run("ip", "addr", "add", cidr, "dev", "ice0");
            }
        }
    }

    String name() {
        return name;
    }

    /** The runner a Netfilter under test gets: every command inside this namespace. */
    CommandRunner runner() {
        return runner;
    }

    /** Runs a command in the namespace that must succeed, and returns its standard output. */
    String run(String... command) {
        return runWith("", command);
    }

    /** Runs a command in the namespace with this standard input; it must succeed. */
    String runWith(String input, String... command) {
        CommandResult result = runner.run(List.of(command), input);
        check(result, String.join(" ", command));
        return result.stdout();
    }

    /** Starts a long-running command in the namespace; {@link #close()} kills it. */
    Process start(String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        try {
            Process process = new ProcessBuilder(full).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            processes.add(process);
            return process;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + full, e);
        }
    }

    @Override
    public void close() {
        try {
            for (Process process : processes) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            HOST.run(List.of("ip", "netns", "del", name), "");
        }
    }

    private static void check(CommandResult result, String command) {
        if (!result.succeeded()) {
            throw new IllegalStateException("'" + command + "' failed with exit code " + result.exitCode() + ": "
                + result.stderr().strip() + " (namespace tests need root, iproute2, iptables, nftables and socat)");
        }
    }
}
