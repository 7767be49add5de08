package dev.ice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Bad --udp command lines exit 2 with one line naming the value and the fix. */
class IceTunnelUdpUsageTest {

    private static final Map<String, String> ENV = Map.of("ICE_PRESHARED_KEY",
        "hex:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return IceTunnel.run(args, ENV, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void tls12WithUdpExitsTwoSayingUdpIsAlwaysDtls12() {
        int status = run("client", "--udp", "--tls12", "--listen", "127.0.0.1:0", "--connect", "127.0.0.1:9443");

        assertEquals(2, status);
        assertTrue(err.toString().contains("with --udp the protocol is always DTLS 1.2"), err.toString());
    }

    @Test
    void pathMtuBelowIpv6MinimumExitsTwoNamingTheRange() {
        int status = run("server", "--udp", "--mtu", "576", "--listen", "127.0.0.1:0", "--forward",
            "127.0.0.1:5353");

        assertEquals(2, status);
        assertTrue(err.toString().contains("path MTU 576 is outside 1280-65535"), err.toString());
    }

    @Test
    void zeroMaxFlowsExitsTwoNamingTheDefault() {
        int status = run("server", "--udp", "--max-flows", "0", "--listen", "127.0.0.1:0", "--forward",
            "127.0.0.1:5353");

        assertEquals(2, status);
        assertTrue(err.toString().contains("max flows 0 must be at least 1; the default is 1024"), err.toString());
    }

    @Test
    void udpOptionWithoutUdpExitsTwoRatherThanBeingIgnored() {
        int status = run("client", "--max-flows", "10", "--listen", "127.0.0.1:0", "--connect", "127.0.0.1:9443");

        assertEquals(2, status);
        assertTrue(err.toString().contains("need --udp"), err.toString());
    }
}
