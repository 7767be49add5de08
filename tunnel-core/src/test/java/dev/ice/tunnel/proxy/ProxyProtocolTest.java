package dev.ice.tunnel.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class ProxyProtocolTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void modeIsReadInAnyCaseWithItsTrustedSources() {
        ProxyProtocol proxy = ProxyProtocol.parse("M", " Require ", "T", "198.18.0.32", true, TIMEOUT);

        assertEquals(ProxyProtocolMode.REQUIRE, proxy.mode());
        assertTrue(proxy.readsHeader());
        assertTrue(proxy.sendToService());
        assertEquals("require a header from [198.18.0.32/32], v2 header sent to the service", proxy.describe());
    }

    @Test
    void unsetModeIsOffAndMayStillSendToTheService() {
        ProxyProtocol proxy = ProxyProtocol.parse("M", null, "T", null, true, TIMEOUT);

        assertFalse(proxy.readsHeader());
        assertTrue(proxy.isOn());
    }

    @Test
    void readingHeadersWithoutTrustedSourcesIsRefusedNamingBoth() {
        String error = assertThrows(ProxyProtocolConfigException.class,
            () -> ProxyProtocol.parse("ICE_PROXY_PROTOCOL", "accept", "ICE_PROXY_TRUSTED_CIDRS", "", false, TIMEOUT))
            .getMessage();

        assertTrue(error.startsWith("ICE_PROXY_PROTOCOL 'accept' needs ICE_PROXY_TRUSTED_CIDRS"), error);
    }

    @Test
    void trustedSourcesWithoutAModeAreRefusedAsAMistake() {
        String error = assertThrows(ProxyProtocolConfigException.class,
            () -> ProxyProtocol.parse("--proxy-protocol", null, "--proxy-trusted", "10.0.0.5", false, TIMEOUT))
            .getMessage();

        assertTrue(error.startsWith("--proxy-trusted is set but --proxy-protocol is off"), error);
    }

    @Test
    void unknownModeIsNamed() {
        String error = assertThrows(ProxyProtocolConfigException.class,
            () -> ProxyProtocol.parse("--proxy-protocol", "v2", "--proxy-trusted", "10.0.0.5", false, TIMEOUT))
            .getMessage();

        assertEquals("--proxy-protocol 'v2' is not a mode; use off, accept or require", error);
    }
}
