package dev.ice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A key rotation across a fleet of sidecars in network namespaces, with requests running throughout: a server
 * with nginx and two clients with curl, each sidecar keyed by its own key file.
 */
@Tag("namespace")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class KeyRotationNamespaceIT {

    private static final Path ROOT = Path.of(System.getProperty("ice.root", "."));
    private static final String OLD_HEX = "5ab1e0c3d2f4a6b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6";
    private static final String NEW_HEX = "c0ffee00112233445566778899aabbccddeeff00112233445566778899aabbcc";
    private static final String OLD = "ice-2026:hex:" + OLD_HEX;
    private static final String NEW = "ice-2027:hex:" + NEW_HEX;
    private static final String PAGE = "rotated without a dropped request";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path work;

    @Test
    void rotatingTheKeyFilesAndSendingSighupLosesNoRequest() throws Exception {
        // Proves: with curl fetching from nginx through the sidecars in a loop from two client namespaces, the
        // README's rotation (add the new key second, move it first, remove the old one), written to each
        // sidecar's key file by rename and announced with SIGHUP member by member, fails no request; afterwards
        // the old key is gone from every sidecar, and no sidecar logged either key.
        try (NamespaceLab lab = new NamespaceLab()) {
            String server = lab.host("server", 41);
            List<String> clients = List.of(lab.host("client-a", 42), lab.host("client-b", 43));
            startNginx(lab, server);

            List<Member> members = new ArrayList<>();
            members.add(startSidecar(lab, server, "server", "server:tcp:80"));
            for (int i = 0; i < clients.size(); i++) {
                members.add(startSidecar(lab, clients.get(i), "client-" + i, "client:tcp:80"));
            }
            for (Member member : members) {
                await(() -> member.logContains("ready:"), member.name + " to log ready:\n" + member.log());
            }

            List<Path> outputs = new ArrayList<>();
            for (int i = 0; i < clients.size(); i++) {
                outputs.add(startCurlLoop(lab, clients.get(i), "curl-" + i));
            }
            awaitRequests(outputs, 5);

            int reloads = 0;
            for (String content : List.of(OLD + "\n" + NEW + "\n", NEW + "\n" + OLD + "\n", NEW + "\n")) {
                reloads++;
                for (Member member : members) {
                    member.rotateTo(content, reloads);
                    awaitRequests(outputs, 3);
                }
            }

            Files.writeString(work.resolve("stop"), "");
            for (Path output : outputs) {
                assertAllSucceeded(output);
            }
            for (Member member : members) {
                assertFalse(member.log().contains(OLD_HEX) || member.log().contains(NEW_HEX),
                    member.name + " logged a key");
                assertTrue(member.logContains("accepting [ice-2027];"), member.name + ":\n" + member.log());
            }
            LogScan.assertNoKeyMaterial(members.stream().map(member -> member.log).toList());
        }
    }

    private void startNginx(NamespaceLab lab, String namespace) throws Exception {
        lab.startNginx(namespace, Files.createDirectories(work.resolve("nginx")), PAGE);
    }

    private Member startSidecar(NamespaceLab lab, String namespace, String name, String roles) throws Exception {
        Path keyFile = work.resolve(name + ".psk");
        Member member = new Member(name, keyFile, work.resolve(name + ".log"));
        member.writeKeys(OLD + "\n");
        Map<String, String> environment = Map.of("ICE_ROLES", roles, "ICE_CRYPTO_STRATEGY", "ice",
            "ICE_ENCRYPTION_ENABLED", "True", "ICE_PRESHARED_KEY_FILE", keyFile.toString(), "ICE_IPV6", "off");
        member.process = lab.start(namespace, environment, member.log.toFile(),
            ROOT.resolve("bin/icetunnel").toString(), "sidecar");
        return member;
    }

    // Bounded: at most 3000 requests, and it stops when the test creates the stop file.
    private Path startCurlLoop(NamespaceLab lab, String namespace, String name) throws IOException {
        Path output = work.resolve(name + ".out");
        String loop = "for i in $(seq 1 3000); do [ -e '" + work.resolve("stop") + "' ] && break; "
            + "curl -sS -m 5 http://" + NamespaceLab.PREFIX + "41/ || echo FAILED; sleep 0.02; done; echo END";
        lab.start(namespace, Map.of(), output.toFile(), "bash", "-c", loop);
        return output;
    }

    private static void awaitRequests(List<Path> outputs, int more) throws Exception {
        for (Path output : outputs) {
            int target = lines(output).size() + more;
            await(() -> lines(output).size() >= target, more + " more requests in " + output);
        }
    }

    private static void assertAllSucceeded(Path output) throws Exception {
        await(() -> lines(output).contains("END"), "the curl loop in " + output + " to end");
        List<String> results = lines(output).stream().filter(line -> !line.equals("END")).toList();
        List<String> failed = results.stream().filter(line -> !line.equals(PAGE)).toList();
        assertEquals(List.of(), failed, "requests failed in " + output + " out of " + results.size());
        assertTrue(results.size() >= 20, "only " + results.size() + " requests in " + output);
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plus(WAIT);
        while (Instant.now().isBefore(deadline)) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    /** One sidecar, its key file and its log. */
    private final class Member {

        final String name;
        final Path keyFile;
        final Path log;
        Process process;

        Member(String name, Path keyFile, Path log) {
            this.name = name;
            this.keyFile = keyFile;
            this.log = log;
        }

        // As an operator or a secret manager would: a new file renamed over the old one, then SIGHUP.
        void rotateTo(String content, int reloads) throws Exception {
            writeKeys(content);
            NamespaceLab.run("kill", "-HUP", Long.toString(process.pid()));
            await(() -> count("reloaded on request") >= reloads, name + " to reload:\n" + log());
        }

        void writeKeys(String content) throws IOException {
            Path next = work.resolve(name + ".next");
            Files.writeString(next, content);
            Files.setPosixFilePermissions(next, PosixFilePermissions.fromString("rw-------"));
            Files.move(next, keyFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }

        boolean logContains(String text) {
            return log().contains(text);
        }

        int count(String text) {
            return (int) log().lines().filter(line -> line.contains(text)).count();
        }

        String log() {
            return String.join("\n", lines(log));
        }
    }
}
