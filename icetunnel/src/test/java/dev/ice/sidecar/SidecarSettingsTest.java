package dev.ice.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SidecarSettingsTest {

    private static final String KEY = "hex:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    private static Map<String, String> env(String roles) {
        Map<String, String> env = new HashMap<>();
        env.put("ICE_ROLES", roles);
        env.put("ICE_CRYPTO_STRATEGY", "ice");
        env.put("ICE_ENCRYPTION_ENABLED", "True");
        env.put("ICE_PRESHARED_KEY", KEY);
        return env;
    }

    private static SidecarSettings read(Map<String, String> env) {
        return SidecarSettings.fromEnvironment(env, warning -> { }, true);
    }

    private static String error(Map<String, String> env) {
        return assertThrows(RuntimeException.class, () -> read(env)).getMessage();
    }

    @Test
    void rolesAreReadInOrderWithDefaults() {
        SidecarSettings settings = read(env("server:tcp:9001, client:tcp:5000"));

        assertEquals("[server:tcp:9001, client:tcp:5000]", settings.roles().toString());
        assertEquals(Set.of(9001), settings.serverPorts());
        assertEquals(Set.of(5000), settings.clientPorts());
        assertEquals(15006, settings.inboundPort());
        assertEquals(15001, settings.outboundPort());
        assertEquals(0x1ce, settings.socketMark());
        assertEquals("auto", settings.backend());
    }

    @Test
    void oneContainerMayServeAndCallOnTheSamePort() {
        SidecarSettings settings = read(env("server:tcp:80,client:tcp:80"));

        assertEquals(Set.of(80), settings.serverPorts());
        assertEquals(Set.of(80), settings.clientPorts());
    }

    @Test
    void encryptionOffNeedsNoKey() {
        Map<String, String> env = env("server:tcp:80");
        env.remove("ICE_PRESHARED_KEY");
        env.put("ICE_ENCRYPTION_ENABLED", "False");

        SidecarSettings settings = read(env);

        assertFalse(settings.encryptionEnabled());
        assertNull(settings.keys());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "ICE_ROLES              | ICE_ROLES is not set",
        "ICE_CRYPTO_STRATEGY    | ICE_CRYPTO_STRATEGY is not set",
        "ICE_ENCRYPTION_ENABLED | ICE_ENCRYPTION_ENABLED is not set",
        "ICE_PRESHARED_KEY      | ICE_PRESHARED_KEY"})
    void missingVariableIsNamed(String variable, String message) {
        Map<String, String> env = env("server:tcp:80");
        env.remove(variable);

        assertTrue(error(env).contains(message), error(env));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "sever:tcp:80        | ICE_ROLES entry 'sever:tcp:80': direction 'sever' must be client or server",
        "server:sctp:80      | ICE_ROLES entry 'server:sctp:80': protocol 'sctp' must be tcp or udp",
        "server:tcp:70000    | ICE_ROLES entry 'server:tcp:70000': port must be 1-65535",
        "server:tcp:0        | port 0 means 'any port' to the kernel and cannot be intercepted",
        "server:tcp:http     | port 'http' must be a number from 1 to 65535",
        "server:tcp          | expected (client|server):(tcp|udp):PORT",
        "server:tcp:80,      | has an empty entry",
        "server:tcp:80,server:tcp:80 | ICE_ROLES entry 'server:tcp:80' is given twice",
        "client:udp:5000     | UDP roles are not implemented",
        "server:tcp:15006    | which the sidecar itself listens on"})
    void invalidRoleIsNamedWithTheFix(String roles, String message) {
        assertTrue(error(env(roles)).contains(message), error(env(roles)));
    }

    @Test
    void nonBooleanEncryptionFlagIsRefused() {
        Map<String, String> env = env("server:tcp:80");
        env.put("ICE_ENCRYPTION_ENABLED", "yes");

        assertEquals("ICE_ENCRYPTION_ENABLED 'yes' is not a boolean; use True or False", error(env));
    }

    @Test
    void fernetIsAStrategyInAnyCase() {
        // Proves: ICE_CRYPTO_STRATEGY=fernet is accepted now that it is implemented, spelled as the original ICE
        // users may spell it.
        Map<String, String> env = env("server:tcp:80");
        env.put("ICE_CRYPTO_STRATEGY", "Fernet");

        assertEquals(SidecarSettings.STRATEGY_FERNET, SidecarSettings.fromEnvironment(env, warning -> { }, true)
            .strategy());
    }

    @Test
    void unknownStrategyAndBackendAreRefused() {
        Map<String, String> env = env("server:tcp:80");
        env.put("ICE_CRYPTO_STRATEGY", "rot13");
        assertTrue(error(env).contains("ICE_CRYPTO_STRATEGY 'rot13'"), error(env));

        env.put("ICE_CRYPTO_STRATEGY", "ice");
        env.put("ICE_NETFILTER_BACKEND", "pf");
        assertTrue(error(env).contains("ICE_NETFILTER_BACKEND 'pf' must be one of"), error(env));
    }

    @Test
    void excludedCidrsAreListedAndCheckedForForm() {
        Map<String, String> env = env("client:tcp:80");
        env.put("ICE_EXCLUDE_CIDRS", "10.0.0.0/8, fd00::/8");
        assertEquals(List.of("10.0.0.0/8", "fd00::/8"), read(env).excludedCidrs());

        env.put("ICE_EXCLUDE_CIDRS", "intranet");
        assertTrue(error(env).contains("ICE_EXCLUDE_CIDRS entry 'intranet'"), error(env));
    }

    @Test
    void keyNeverAppearsInTheSettingsText() {
        assertFalse(read(env("server:tcp:80")).toString().contains("00112233"));
    }
}
