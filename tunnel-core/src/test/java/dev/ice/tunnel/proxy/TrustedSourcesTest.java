package dev.ice.tunnel.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TrustedSourcesTest {

    @Test
    void rangesAndSingleAddressesMatchTheirOwnFamilyOnly() {
        TrustedSources trusted = TrustedSources.parse(" 10.1.0.0/16, 198.18.0.32 ,2001:db8::/64", "test");

        assertTrue(trusted.contains(new InetSocketAddress("10.1.200.3", 1)));
        assertTrue(trusted.contains(new InetSocketAddress("198.18.0.32", 1)));
        assertTrue(trusted.contains(new InetSocketAddress("2001:db8::99", 1)));
        assertFalse(trusted.contains(new InetSocketAddress("10.2.0.1", 1)));
        assertFalse(trusted.contains(new InetSocketAddress("198.18.0.33", 1)));
        assertFalse(trusted.contains(new InetSocketAddress("2001:db9::1", 1)));
        assertEquals("[10.1.0.0/16,198.18.0.32/32,2001:db8:0:0:0:0:0:0/64]", trusted.toString());
    }

    @Test
    void prefixZeroTrustsEveryAddressOfItsFamily() {
        TrustedSources everyone = TrustedSources.parse("0.0.0.0/0", "test");

        assertTrue(everyone.contains(new InetSocketAddress("203.0.113.7", 1)));
        assertFalse(everyone.contains(new InetSocketAddress("2001:db8::1", 1)));
    }

    @Test
    void blankListTrustsNoOne() {
        assertTrue(TrustedSources.parse(" ", "test").isEmpty());
        assertFalse(TrustedSources.NONE.contains(new InetSocketAddress("127.0.0.1", 1)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "lb.example     | 'lb.example': not an IPv4 or IPv6 address",
        "10.0.0.0/33    | '10.0.0.0/33': the prefix length must be 0-32",
        "2001:db8::/129 | '2001:db8::/129': the prefix length must be 0-128",
        "10.0.0.0/x     | '10.0.0.0/x': the prefix length must be 0-32",
        "10.1.2.3/16    | '10.1.2.3/16': it has bits set after the first 16"})
    void invalidEntryIsNamedWithTheFix(String entry, String message) {
        String error = assertThrows(ProxyProtocolConfigException.class,
            () -> TrustedSources.parse("198.18.0.32," + entry, "--proxy-trusted")).getMessage();

        assertTrue(error.startsWith("--proxy-trusted entry " + message), error);
    }
}
