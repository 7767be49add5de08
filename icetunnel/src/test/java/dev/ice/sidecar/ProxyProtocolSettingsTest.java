package dev.ice.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.ice.tunnel.proxy.ProxyProtocol;
import dev.ice.tunnel.proxy.ProxyProtocolMode;

class ProxyProtocolSettingsTest {

    private static final String KEY = "hex:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("ICE_ROLES", "server:tcp:9001");
        env.put("ICE_CRYPTO_STRATEGY", "ice");
        env.put("ICE_ENCRYPTION_ENABLED", "True");
        env.put("ICE_PRESHARED_KEY", KEY);
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    private static ProxyProtocol read(Map<String, String> env) {
        return SidecarSettings.fromEnvironment(env, warning -> { }, true).proxyProtocol();
    }

    @Test
    void unsetVariablesLeaveTheProtocolOff() {
        ProxyProtocol proxy = read(env());

        assertFalse(proxy.isOn());
    }

    @Test
    void requireWithTrustedBalancersAndAHeaderToTheService() {
        ProxyProtocol proxy = read(env("ICE_PROXY_PROTOCOL", "require", "ICE_PROXY_TRUSTED_CIDRS",
            "198.18.0.32/32,10.0.0.0/8", "ICE_PROXY_PROTOCOL_TO_SERVICE", "true", "ICE_HANDSHAKE_TIMEOUT", "3s"));

        assertEquals(ProxyProtocolMode.REQUIRE, proxy.mode());
        assertEquals("[198.18.0.32/32,10.0.0.0/8]", proxy.trusted().toString());
        assertTrue(proxy.sendToService());
        assertEquals(Duration.ofSeconds(3), proxy.headerTimeout());
    }

    @Test
    void headerToTheServiceWorksWithoutReadingOne() {
        ProxyProtocol proxy = read(env("ICE_PROXY_PROTOCOL_TO_SERVICE", "True"));

        assertFalse(proxy.readsHeader());
        assertTrue(proxy.sendToService());
    }

    @Test
    void readingHeadersWithoutTrustedCidrsIsRefusedNamingTheVariable() {
        String error = assertThrows(IllegalArgumentException.class,
            () -> read(env("ICE_PROXY_PROTOCOL", "accept"))).getMessage();

        assertTrue(error.startsWith("ICE_PROXY_PROTOCOL 'accept' needs ICE_PROXY_TRUSTED_CIDRS"), error);
    }

    @Test
    void invalidValuesAreNamed() {
        assertEquals("ICE_PROXY_PROTOCOL 'yes' is not a mode; use off, accept or require",
            assertThrows(IllegalArgumentException.class, () -> read(env("ICE_PROXY_PROTOCOL", "yes"))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> read(env("ICE_PROXY_PROTOCOL", "require",
            "ICE_PROXY_TRUSTED_CIDRS", "haproxy"))).getMessage()
            .startsWith("ICE_PROXY_TRUSTED_CIDRS entry 'haproxy': not an IPv4 or IPv6 address"));
        assertEquals("ICE_PROXY_PROTOCOL_TO_SERVICE 'on' is not a boolean; use True or False",
            assertThrows(IllegalArgumentException.class, () -> read(env("ICE_PROXY_PROTOCOL_TO_SERVICE", "on")))
                .getMessage());
    }
}
