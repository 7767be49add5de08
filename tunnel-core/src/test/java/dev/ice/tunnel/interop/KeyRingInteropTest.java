package dev.ice.tunnel.interop;

import static dev.ice.tunnel.interop.Interop.OPENSSL;
import static dev.ice.tunnel.interop.Interop.STEP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.ice.tunnel.Endpoint;
import dev.ice.tunnel.key.KeyRing;
import dev.ice.tunnel.key.PresharedKey;
import dev.ice.tunnel.relay.Transport;
import dev.ice.tunnel.relay.Tunnel;
import dev.ice.tunnel.relay.TunnelConfig;
import dev.ice.tunnel.relay.TunnelMode;
import dev.ice.tunnel.tls.TlsPskContext;

/** An ICE server holding two keys, against OpenSSL clients that each offer one of them. */
@Timeout(60)
class KeyRingInteropTest {

    private static Transport transport;

    @BeforeAll
    static void startTransport() {
        assumeTrue(ExternalPeer.isInstalled(OPENSSL), OPENSSL + " is not installed");
        transport = Transport.start(1);
    }

    @AfterAll
    static void stopTransport() {
        if (transport != null) {
            transport.close();
        }
    }

    @ParameterizedTest(name = "{0} offering key {1}")
    @CsvSource({"-tls1_3, 0", "-tls1_3, 1", "-tls1_2, 0", "-tls1_2, 1"})
    void serverAcceptsAnOpenSslClientOfferingEitherOfItsKeys(String version, int which) throws Exception {
        // Proves: a server's second key is as good as its first under TLS 1.3 (identity matched among the offered
        // ones) and TLS 1.2 (the identity manager looks the named identity up), so a rotation can add a key.
        List<PresharedKey> keys = List.of(new PresharedKey("ice-2026", Interop.randomKey().keyBytes()),
            new PresharedKey("ice-2027", Interop.randomKey().keyBytes()));
        PresharedKey offered = keys.get(which);
        byte[] data = Interop.randomBytes(10_000);
        ConnectionRecorder recorder = new ConnectionRecorder();

        try (EchoService echo = EchoService.start();
                Tunnel tunnel = Tunnel.start(new TunnelConfig(TunnelMode.SERVER, new Endpoint(Endpoint.LOOPBACK, 0),
                    new Endpoint(Endpoint.LOOPBACK, echo.port()), Duration.ZERO),
                    new TlsPskContext(() -> KeyRing.of(keys), Interop.TLS12), recorder, transport);
                ExternalPeer client = OpenSsl.client(tunnel, Interop.hex(offered), offered.identity(), version,
                    "-cipher", "DHE-PSK-AES128-GCM-SHA256")) {
            client.send(data);

            assertArrayEquals(data, client.awaitStdout(data.length, STEP), "what came back to s_client");
            assertEquals(version.equals("-tls1_3") ? "TLSv1.3" : "TLSv1.2", recorder.awaitOpened().protocol());
        }
    }
}
