package dev.ice.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EndpointTest {

    @Test
    void hostAndPortAreSplitAtTheLastColon() {
        assertEquals(new Endpoint("backend.svc", 9000), Endpoint.parse("backend.svc:9000", "--forward", false));
    }

    @Test
    void barePortMeansLoopback() {
        assertEquals(new Endpoint("127.0.0.1", 8443), Endpoint.parse("8443", "--listen", true));
    }

    @Test
    void bracketedIpv6IsUnwrapped() {
        Endpoint endpoint = Endpoint.parse("[::1]:8443", "--listen", true);

        assertEquals("::1", endpoint.host());
        assertEquals("[::1]:8443", endpoint.toString());
    }

    @Test
    void socketAddressesAreDescribedWithoutSlashAndWithShortIpv6() throws Exception {
        assertEquals("198.18.0.11:80", Endpoint.describe(new java.net.InetSocketAddress("198.18.0.11", 80)));
        assertEquals("[2001:db8::12]:80", Endpoint.describe(new java.net.InetSocketAddress(
            java.net.InetAddress.getByName("2001:db8:0:0:0:0:0:12"), 80)));
    }

    @Test
    void portZeroIsOnlyForListeners() {
        assertEquals(0, Endpoint.parse("127.0.0.1:0", "--listen", true).port());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> Endpoint.parse("127.0.0.1:0", "--connect", false));
        assertTrue(e.getMessage().startsWith("--connect '127.0.0.1:0'"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "localhost:", ":80", "host:http", "host:70000", "::1:80", "host:-1"})
    void malformedValuesNameTheOptionAndTheValue(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> Endpoint.parse(value, "--listen", true));

        assertTrue(e.getMessage().startsWith("--listen '" + value + "'"), e.getMessage());
    }
}
