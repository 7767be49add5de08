package dev.ice.tunnel.interop;

import static dev.ice.tunnel.interop.Interop.IDENTITY;
import static dev.ice.tunnel.interop.Interop.OPENSSL;
import static dev.ice.tunnel.interop.Interop.STEP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.ice.tunnel.ConnectionOutcome;
import dev.ice.tunnel.interop.ConnectionRecorder.Opened;
import dev.ice.tunnel.key.PresharedKey;
import dev.ice.tunnel.relay.Transport;
import dev.ice.tunnel.relay.Tunnel;
import dev.ice.tunnel.relay.TunnelMode;
import dev.ice.tunnel.tls.TlsPolicy;

/**
 * ICE's optional TLS 1.2 PSK suites against OpenSSL 3.0. OpenSSL has DHE-PSK with AES-GCM but ECDHE-PSK only with
 * ChaCha20 or CBC ({@code openssl ciphers -v PSK}), so ICE's TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256 cannot be
 * exercised against it.
 */
@Timeout(60)
class OpenSslTls12InteropTest {

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

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "DHE-PSK-AES128-GCM-SHA256, TLS_DHE_PSK_WITH_AES_128_GCM_SHA256",
        "DHE-PSK-AES256-GCM-SHA384, TLS_DHE_PSK_WITH_AES_256_GCM_SHA384",
    })
    void iceServerWithTls12AcceptsOpenSslClientOnDhePskSuite(String openSslSuite, String ianaSuite)
            throws Exception {
        // Proves: with TLS 1.2 enabled, an ICE server tunnel accepts s_client restricted to TLS 1.2 and one
        // DHE-PSK suite, reports that protocol and suite, and carries data exactly both ways.
        PresharedKey key = Interop.randomKey();
        byte[] data = Interop.randomBytes(40_000);
        ConnectionRecorder recorder = new ConnectionRecorder();

        try (EchoService echo = EchoService.start();
                Tunnel tunnel = Interop.tunnel(TunnelMode.SERVER, echo.port(), key, Interop.TLS12, recorder,
                    transport);
                ExternalPeer client = OpenSsl.client(tunnel, Interop.hex(key), IDENTITY, "-tls1_2", "-cipher",
                    openSslSuite)) {
            client.send(data);

            assertArrayEquals(data, client.awaitStdout(data.length, STEP), "what came back to s_client");
            assertArrayEquals(data, echo.received(), "what reached the plaintext service");
            assertEquals(new Opened("TLSv1.2", ianaSuite), recorder.awaitOpened());
        }
    }

    @Test
    void plainPskSuiteIsAcceptedOnlyWithTheUnsafeFlag() throws Exception {
        // Proves: the unsafe plain PSK flag really gates the suites without forward secrecy: s_client limited to
        // PSK-AES128-GCM-SHA256 gets TLS_PSK_WITH_AES_128_GCM_SHA256 from an ICE server tunnel with the flag on.
        PresharedKey key = Interop.randomKey();
        byte[] data = Interop.randomBytes(1000);
        TlsPolicy unsafe = new TlsPolicy(true, true, TlsPolicy.DEFAULT_HANDSHAKE_TIMEOUT);
        ConnectionRecorder recorder = new ConnectionRecorder();

        try (EchoService echo = EchoService.start();
                Tunnel tunnel = Interop.tunnel(TunnelMode.SERVER, echo.port(), key, unsafe, recorder, transport);
                ExternalPeer client = OpenSsl.client(tunnel, Interop.hex(key), IDENTITY, "-tls1_2", "-cipher",
                    "PSK-AES128-GCM-SHA256")) {
            client.send(data);

            assertArrayEquals(data, client.awaitStdout(data.length, STEP), "what came back to s_client");
            assertEquals(new Opened("TLSv1.2", "TLS_PSK_WITH_AES_128_GCM_SHA256"), recorder.awaitOpened());
        }
    }

    @Test
    void plainPskSuiteIsRefusedWithoutTheUnsafeFlag() throws Exception {
        // Proves: an ICE server tunnel with TLS 1.2 on but the unsafe plain PSK flag off refuses s_client limited
        // to PSK-AES128-GCM-SHA256, which has no forward secrecy, before any data can flow.
        PresharedKey key = Interop.randomKey();
        ConnectionRecorder recorder = new ConnectionRecorder();

        try (EchoService echo = EchoService.start();
                Tunnel tunnel = Interop.tunnel(TunnelMode.SERVER, echo.port(), key, Interop.TLS12, recorder,
                    transport);
                ExternalPeer client = OpenSsl.client(tunnel, Interop.hex(key), IDENTITY, "-tls1_2", "-cipher",
                    "PSK-AES128-GCM-SHA256")) {
            assertEquals(ConnectionOutcome.TLS_ERROR, recorder.awaitClosed().outcome());
            assertNotEquals(0, client.awaitExit(STEP), client::transcript);
            assertEquals(0, recorder.unclaimedOpenings(), "the connection never opened");
            assertEquals(0, echo.connections(), "the plaintext service saw no connection");
        }
    }

    @Test
    void iceClientWithTls12ConnectsToOpenSslServerLimitedToTls12() throws Exception {
        // Proves: with TLS 1.2 enabled, an ICE client tunnel falls back to TLS 1.2 when s_server allows nothing
        // newer, agrees on DHE-PSK with AES-128-GCM, and carries data exactly both ways.
        PresharedKey key = Interop.randomKey();
        String line = "0001:" + Interop.randomText(100) + "\n";
        String reversed = new StringBuilder(line.strip()).reverse() + "\n";
        ConnectionRecorder recorder = new ConnectionRecorder();

        try (ExternalPeer server = OpenSsl.server(Interop.hex(key), IDENTITY, "-tls1_2", "-rev")) {
            int port = OpenSsl.awaitServerPort(server);

            try (Tunnel tunnel = Interop.tunnel(TunnelMode.CLIENT, port, key, Interop.TLS12, recorder, transport);
                    PlainClient app = PlainClient.connect(tunnel.localAddress().getPort())) {
                byte[] reply = app.exchange(line.getBytes(StandardCharsets.US_ASCII), reversed.length(), STEP);

                assertEquals(reversed, new String(reply, StandardCharsets.US_ASCII), server::transcript);
                assertEquals(new Opened("TLSv1.2", "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256"), recorder.awaitOpened());
            }
        }
    }
}
