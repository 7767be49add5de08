package dev.ice.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sidecar whose netfilter tool is missing or broken, in a namespace of the test's own: it must not pretend to
 * protect traffic it does not intercept.
 */
@Tag("namespace")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FailClosedIT {

    /** The machine's tools without sbin, where Debian keeps nft and every iptables tool. */
    private static final String PATH_WITHOUT_SBIN = "/usr/bin:/bin";

    private TestNamespace namespace;

    @TempDir
    Path work;

    @BeforeEach
    void createNamespace() {
        namespace = TestNamespace.create();
    }

    @AfterEach
    void deleteNamespace() {
        namespace.close();
    }

    @Test
    void aMissingIptablesLegacyToolStopsTheSidecarBeforeReady() {
        // Proves: with the named backend's tool absent, the sidecar exits non-zero instead of running unprotected.
        Map<String, String> settings = settings("iptables-legacy", PATH_WITHOUT_SBIN);

        String output = runToFailure(settings);

        assertTrue(output.contains("(fail closed): iptables-legacy backend: 'iptables-legacy-save' failed with "
            + "exit code 127"), output);
    }

    @Test
    void aFailingIpv6BatchRemovesTheIpv4RulesAndStopsTheSidecarBeforeReady() throws IOException {
        // Proves: an install that fails halfway (IPv4 written, IPv6 refused) is rolled back, not left half done.
        Path tools = fakeTool("ip6tables-legacy-restore");
        Map<String, String> settings = settings("iptables-legacy", tools + ":/usr/sbin:/usr/bin:/sbin:/bin");

        String output = runToFailure(settings);

        assertTrue(output.contains("'ip6tables-legacy-restore --noflush --wait=5' failed with exit code 4: "
            + "simulated failure"), output);
        assertTrue(output.contains("install failed, removing ICE's rules"), output);
    }

    @Test
    void aFailingNftStopsTheSidecarBeforeReady() throws IOException {
        // Proves: the native nftables backend fails closed too when nft refuses the rules.
        Path tools = fakeTool("nft");
        Map<String, String> settings = settings("nftables", tools + ":/usr/sbin:/usr/bin:/sbin:/bin");

        String output = runToFailure(settings);

        assertTrue(output.contains("(fail closed): nftables backend: 'nft -f -' failed with exit code 4: "
            + "simulated failure"), output);
    }

    /**
     * Runs the sidecar to its exit and checks the promise every case shares: a non-zero status, no ready line,
     * and no rule of ICE's anywhere in the namespace.
     *
     * @return what the sidecar printed
     */
    private String runToFailure(Map<String, String> settings) {
        try (RunningProcess sidecar = SidecarProcess.start(namespace.name(), settings, work.resolve("sidecar.log"))) {
            int status = sidecar.awaitExit(Duration.ofSeconds(30));
            String output = sidecar.output();

            assertEquals(1, status, output);
            // run.sh's readiness check: the word ready anywhere in the output.
            assertFalse(Pattern.compile("\\bready\\b").matcher(output).find(), output);
            assertEquals(List.of(), namespace.iceRules());
            return output;
        }
    }

    private static Map<String, String> settings(String backend, String path) {
        Map<String, String> settings = SidecarProcess.settings("server:tcp:80,client:tcp:80");
        settings.put("ICE_NETFILTER_BACKEND", backend);
        settings.put("PATH", path);
        return settings;
    }

    /** A directory holding a tool of that name that fails as a broken one would: an error and exit status 4. */
    private Path fakeTool(String name) throws IOException {
        Path directory = Files.createDirectories(work.resolve("broken-tools"));
        Path tool = directory.resolve(name);
        Files.writeString(tool, "#!/bin/sh\necho \"simulated failure of " + name + "\" >&2\nexit 4\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
        return directory;
    }
}
