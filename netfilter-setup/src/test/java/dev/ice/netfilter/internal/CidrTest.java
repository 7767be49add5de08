package dev.ice.netfilter.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CidrTest {

    @ParameterizedTest
    @CsvSource({
        "198.18.0.0/24, 198.18.0.0/24, IPV4",
        "198.18.0.7, 198.18.0.7/32, IPV4",
        "0.0.0.0/0, 0.0.0.0/0, IPV4",
        "2001:0DB8:0:0::/32, 2001:db8::/32, IPV6",
        "2001:db8::1, 2001:db8::1/128, IPV6",
        "2001:db8:0:1:0:0:0:0/64, 2001:db8:0:1::/64, IPV6",
        "::/0, ::/0, IPV6",
        "::1, ::1/128, IPV6"})
    void networksAreWrittenTheWayIptablesAndNftPrintThem(String text, String written, IpFamily family) {
        Cidr cidr = Cidr.parse(text);

        assertEquals(written, cidr.toString());
        assertEquals(family, cidr.family());
    }

    @Test
    void aHostBitOfIpv6IsCaughtToo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse("2001:db8::1/64"));

        assertEquals("has host bits set; write its network, 2001:db8::/64, or the single host as 2001:db8::1",
            e.getMessage());
    }

    @Test
    void ipv4LegacyShortFormsAreRefusedBecauseTheyRarelyMeanWhatTheySeem() {
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("198.18"));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("3323068416"));
    }

    @Test
    void loopbackIsTheWholeIpv4NetworkAndTheOneIpv6Address() {
        assertEquals("127.0.0.0/8", Cidr.IPV4_LOOPBACK.toString());
        assertEquals("::1/128", Cidr.IPV6_LOOPBACK.toString());
    }
}
