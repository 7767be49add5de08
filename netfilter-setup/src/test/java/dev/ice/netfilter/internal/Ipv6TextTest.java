package dev.ice.netfilter.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Ipv6TextTest {

    @ParameterizedTest
    @CsvSource({
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        "0:0:0:0:0:0:0:0, ::",
        "fe80:0:0:0:0:0:0:0, fe80::",
        "0:0:0:0:0:0:0:1, ::1"})
    void theFirstLongestRunOfTwoOrMoreZeroGroupsBecomesTheDoubleColon(String full, String shortForm) {
        assertEquals(shortForm, Ipv6Text.shortForm(InetAddress.ofLiteral(full).getAddress()));
    }
}
