package dev.ice.tunnel.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Datagrams through a client and server UDP tunnel pair on loopback, as two icetunnel processes would carry them. */
@Timeout(60)
class UdpTunnelTransferTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void thousandDatagramsOfManySizesEchoBackIntactFromTheAddressTheAppSentTo() throws Exception {
        // Proves: 1,000 datagrams of 32 to 1,200 bytes cross both tunnels to a UDP echo and come back byte for
        // byte, each reply from the client tunnel's listening address, all in one flow with ECDHE_PSK AES-GCM.
        Random random = new Random(1);
        try (UdpEcho echo = UdpEcho.start(); UdpTunnelPair pair = new UdpTunnelPair(echo.address());
                App app = new App()) {
            for (int i = 0; i < 1000; i++) {
                byte[] sent = new byte[32 + random.nextInt(1200 - 32 + 1)];
                random.nextBytes(sent);
                app.send(sent, pair.client.localAddress());

                App.Reply reply = app.receive(WAIT);
                assertNotNull(reply, "no reply to datagram " + i);
                assertArrayEquals(sent, reply.bytes(), "datagram " + i);
                assertEquals(pair.client.localAddress(), reply.from(), "where reply " + i + " came from");
            }

            assertEquals("DTLSv1.2 TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256", pair.clientEvents.nextOpened(WAIT));
            assertEquals("DTLSv1.2 TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256", pair.serverEvents.nextOpened(WAIT));
            assertEquals(1000, echo.received());
            assertEquals(1, pair.server.flowCount());
        }
    }
}
