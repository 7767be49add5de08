package dev.ice.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code bin/icetunnel sidecar} run as a process with one bad ICE_* setting at a time: it exits 2 with one line
 * that names the setting and the fix, before touching the network. Needs no root and no namespace.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SidecarConfigErrorIT {

    /** A missing variable: the value null removes it from the otherwise valid settings. */
    private static final String UNSET = null;

    static Stream<Arguments> invalidSettings() {
        return Stream.of(
            Arguments.of("ICE_ROLES", UNSET,
                "ICE_ROLES is not set; set it, e.g. ICE_ROLES=server:tcp:9001,client:tcp:5000"),
            Arguments.of("ICE_ROLES", "sever:tcp:80",
                "ICE_ROLES entry 'sever:tcp:80': direction 'sever' must be client or server"),
            Arguments.of("ICE_ROLES", "server:sctp:80",
                "ICE_ROLES entry 'server:sctp:80': protocol 'sctp' must be tcp or udp"),
            Arguments.of("ICE_ROLES", "server:tcp:0",
                "ICE_ROLES entry 'server:tcp:0': port 0 means 'any port' to the kernel and cannot be intercepted"),
            Arguments.of("ICE_ROLES", "server:tcp:70000",
                "ICE_ROLES entry 'server:tcp:70000': port must be 1-65535"),
            Arguments.of("ICE_ROLES", "server:tcp:80,client:tcp:80,server:tcp:80",
                "ICE_ROLES entry 'server:tcp:80' is given twice; list each role once"),
            Arguments.of("ICE_ENCRYPTION_ENABLED", "yes",
                "ICE_ENCRYPTION_ENABLED 'yes' is not a boolean; use True or False"),
            Arguments.of("ICE_PRESHARED_KEY", UNSET, "no pre-shared key: set ICE_PRESHARED_KEY"),
            Arguments.of("ICE_NETFILTER_BACKEND", "ipfw",
                "ICE_NETFILTER_BACKEND 'ipfw' must be one of auto, iptables-nft, iptables-legacy, nftables"),
            Arguments.of("ICE_INBOUND_PORT", "70000", "ICE_INBOUND_PORT '70000' must be a port from 1 to 65535"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("invalidSettings")
    void anInvalidSettingExitsTwoWithAMessageNamingIt(String variable, String value, String message) {
        // Proves: a misconfigured sidecar stops at once with a message the operator can act on, never half-started.
        Map<String, String> settings = SidecarProcess.settings("server:tcp:80,client:tcp:80");
        settings.put("ICE_NETFILTER_BACKEND", "nftables");
        settings.put(variable, value);
        settings.values().removeIf(setting -> setting == null);

        Commands.Result result = Commands.run(Duration.ofSeconds(30), sidecarCommand(), settings, "");

        assertEquals(2, result.exitCode(), result.describe());
        assertTrue(result.stderr().contains("icetunnel: " + message), result.describe());
        assertFalse(Pattern.compile("\\bready\\b").matcher(result.stdout()).find(), result.describe());
        assertFalse((result.stdout() + result.stderr()).contains(SidecarProcess.KEY.substring("hex:".length())),
            "the key was printed");
    }

    /**
     * As root the sidecar runs in a throwaway network namespace: should a case ever be accepted, its rules must not
     * reach the machine's own netfilter tables.
     */
    private static List<String> sidecarCommand() {
        List<String> command = new ArrayList<>();
        if (isRoot()) {
            command.addAll(List.of("unshare", "--net", "--"));
        }
        command.addAll(List.of(Commands.ICETUNNEL, "sidecar"));
        return command;
    }

    private static boolean isRoot() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
        } catch (IOException e) {
            throw new AssertionError("cannot tell whether the test runs as root", e);
        }
    }
}
