package dev.ice.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Throwaway network namespaces joined by a bridge that lives in a namespace of its own, so that nothing is added
 * to the machine's own namespace: no link, no address, no netfilter rule.
 *
 * <p>Hosts get addresses in 198.18.0.0/24 (RFC 2544), from .41 to .49, which no other test uses. {@link #close()}
 * kills what was started in the hosts and deletes every namespace, whether the test passed or not.
 */
final class NamespaceLab implements AutoCloseable {

    static final String PREFIX = "198.18.0.";

    private final String tag;
    private final String hub;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    NamespaceLab() {
        byte[] random = new byte[3];
        ThreadLocalRandom.current().nextBytes(random);
        this.tag = HexFormat.of().formatHex(random);
        this.hub = create("hub");
        run("ip", "-n", hub, "link", "add", "br0", "type", "bridge");
        run("ip", "-n", hub, "link", "set", "br0", "up");
    }

    /**
     * Adds a host on the bridge with one IPv4 address and IPv6 off.
     *
     * @param role a short name, e.g. "server"
     * @param octet the last octet of its address, 41-49
     * @return the namespace's name
     */
    String host(String role, int octet) {
        if (octet < 41 || octet > 49) {
            throw new IllegalArgumentException("octet " + octet + ": this lab uses 198.18.0.41-49 only");
        }
        String namespace = create(role);
        String port = "p" + octet;
        run("ip", "-n", hub, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", namespace);
        run("ip", "-n", hub, "link", "set", port, "master", "br0", "up");
        run("ip", "netns", "exec", namespace, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
        run("ip", "-n", namespace, "link", "set", "lo", "up");
        run("ip", "-n", namespace, "addr", "add", PREFIX + octet + "/24", "dev", "eth0");
        run("ip", "-n", namespace, "link", "set", "eth0", "up");
        return namespace;
    }

    /** Starts a long-running command in a namespace, its output to a file; {@link #close()} stops it. */
    Process start(String namespace, Map<String, String> environment, File log, String... command)
            throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(List.of(command));
        ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log));
        builder.environment().putAll(environment);
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    /**
     * Starts nginx in a namespace on port 80, answering every request with one line, and waits until it listens.
     *
     * @param runtime a directory for its configuration, pid and logs
     * @param page the line it answers with
     */
    void startNginx(String namespace, Path runtime, String page) throws IOException, InterruptedException {
        Path config = runtime.resolve("nginx.conf");
        Files.writeString(config, String.join("\n",
            "daemon off;", "worker_processes 1;", "pid " + runtime.resolve("nginx.pid") + ";",
            "error_log " + runtime.resolve("error.log") + " notice;", "events { worker_connections 256; }",
            "http {", "  access_log off;", "  client_body_temp_path " + runtime.resolve("body") + ";",
            "  proxy_temp_path " + runtime.resolve("proxy") + ";",
            "  fastcgi_temp_path " + runtime.resolve("fastcgi") + ";",
            "  uwsgi_temp_path " + runtime.resolve("uwsgi") + ";", "  scgi_temp_path " + runtime.resolve("scgi") + ";",
            "  server { listen 80; location / { return 200 '" + page + "\\n'; } }", "}", ""));
        start(namespace, Map.of(), runtime.resolve("nginx.log").toFile(), "nginx", "-c", config.toString(), "-p",
            runtime.toString());
        for (int attempt = 0; attempt < 200; attempt++) {
            if (run("ip", "netns", "exec", namespace, "ss", "-ltnH", "sport = :80").contains(":80")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("nginx did not listen on port 80 in " + namespace + " within 10 s");
    }

    /** Runs a command that must succeed within 30 s, and returns its output. */
    static String run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("'" + String.join(" ", command) + "' failed: " + output.strip()
                    + " (namespace tests need root and iproute2)");
            }
            return output;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + List.of(command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + List.of(command), e);
        }
    }

    @Override
    public void close() {
        for (Process process : processes) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
        }
        for (Process process : processes) {
            awaitOrKill(process);
        }
        for (String namespace : namespaces.reversed()) {
            try {
                new ProcessBuilder("ip", "netns", "del", namespace).start().waitFor(10, TimeUnit.SECONDS);
            } catch (IOException e) {
                // Nothing else to try; the name is random, so a leftover never clashes with a later run.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private String create(String role) {
        String namespace = "ice-keys-" + role + "-" + tag;
        run("ip", "netns", "add", namespace);
        namespaces.add(namespace);
        return namespace;
    }

    private static void awaitOrKill(Process process) {
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
