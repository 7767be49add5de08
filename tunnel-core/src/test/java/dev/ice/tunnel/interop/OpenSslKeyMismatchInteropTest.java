package dev.ice.tunnel.interop;

import static dev.ice.tunnel.interop.Interop.IDENTITY;
import static dev.ice.tunnel.interop.Interop.OPENSSL;
import static dev.ice.tunnel.interop.Interop.STEP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.ice.tunnel.ConnectionOutcome;
import dev.ice.tunnel.key.PresharedKey;
import dev.ice.tunnel.relay.Transport;
import dev.ice.tunnel.relay.Tunnel;
import dev.ice.tunnel.relay.TunnelMode;
import dev.ice.tunnel.tls.TlsPolicy;

/** OpenSSL peers that do not hold the trust plane's key, or name an identity ICE does not know. */
@Timeout(60)
class OpenSslKeyMismatchInteropTest {

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
    @CsvSource({"-tls1_3, tlsv1 alert decrypt error", "-tls1_2, sslv3 alert bad record mac"})
    void openSslClientWithWrongKeyIsRefusedAndReportedAsBadKey(String version, String alertSeen) throws Exception {
        // Proves: s_client offering ICE's identity with another key fails its handshake with an alert that says
        // the keys differ, the ICE server tunnel reports BAD_KEY, and the plaintext service never sees a connection.
        PresharedKey key = Interop.randomKey();
        String otherKey = Interop.hex(Interop.randomKey());

        Refusal refusal = refusedOpenSslClient(key, otherKey, IDENTITY, version);

        assertEquals(ConnectionOutcome.BAD_KEY, refusal.outcome());
        assertTrue(refusal.clientTranscript().contains(alertSeen), refusal::clientTranscript);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"-tls1_3", "-tls1_2"})
    void openSslClientWithUnknownIdentityIsRefusedAndReportedAsUnknownIdentity(String version) throws Exception {
        // Proves: s_client offering the right key under an identity ICE does not know fails its handshake with
        // the unknown_psk_identity alert (RFC 8446 §6.2, RFC 4279 §2), the ICE server tunnel reports
        // UNKNOWN_IDENTITY, and the plaintext service never sees a connection.
        PresharedKey key = Interop.randomKey();

        Refusal refusal = refusedOpenSslClient(key, Interop.hex(key), "stranger", version);

        assertEquals(ConnectionOutcome.UNKNOWN_IDENTITY, refusal.outcome());
        assertTrue(refusal.clientTranscript().contains("tlsv1 alert unknown psk identity"),
            refusal::clientTranscript);
    }

    @Test
    void openSslClientWithoutPskIsRefusedRatherThanOfferedACertificate() throws Exception {
        // Proves: a TLS 1.3 client that offers no PSK at all, as a browser or curl would, gets no certificate
        // handshake from an ICE server tunnel but the unknown_psk_identity alert, and ICE reports UNKNOWN_IDENTITY.
        ConnectionRecorder recorder = new ConnectionRecorder();

        try (EchoService echo = EchoService.start();
                Tunnel tunnel = Interop.tunnel(TunnelMode.SERVER, echo.port(), Interop.randomKey(),
                    TlsPolicy.DEFAULT, recorder, transport);
                ExternalPeer client = ExternalPeer.start(OPENSSL, "s_client", "-connect",
                    "127.0.0.1:" + tunnel.localAddress().getPort(), "-tls1_3", "-quiet")) {
            assertEquals(ConnectionOutcome.UNKNOWN_IDENTITY, recorder.awaitClosed().outcome());
            assertNotEquals(0, client.awaitExit(STEP), client::transcript);
            assertTrue(client.transcript().contains("tlsv1 alert unknown psk identity"), client::transcript);
            assertEquals(0, echo.connections(), "the plaintext service saw no connection");
        }
    }

    @Test
    void iceClientWithWrongKeyIsRefusedByOpenSslServerOverTls12AndReportsKeyRejected() throws Exception {
        // Proves: an ICE client tunnel whose key differs from s_server's fails the TLS 1.2 handshake, reports
        // KEY_REJECTED_BY_PEER, and resets the application's connection without passing any data.
        ConnectionOutcome outcome = iceClientRefusedByOpenSslServer(Interop.TLS12, "-tls1_2");

        assertEquals(ConnectionOutcome.KEY_REJECTED_BY_PEER, outcome);
    }

    @Test
    void iceClientWithWrongKeyIsRefusedByOpenSslServerOverTls13WithoutPassingData() throws Exception {
        // Proves: an ICE client tunnel whose key differs from s_server's fails the TLS 1.3 handshake, takes the
        // alert that s_server sends in place of a ServerHello as a TLS refusal (not as a peer that is not TLS), and
        // resets the application's connection without passing any data.
        ConnectionOutcome outcome = iceClientRefusedByOpenSslServer(TlsPolicy.DEFAULT, "-tls1_3");

        // OpenSSL 3.0 answers a PSK binder that does not verify with illegal_parameter, newer releases with
        // decrypt_error: ICE names both as a key the server refused.
        assertEquals(ConnectionOutcome.KEY_REJECTED_BY_PEER, outcome);
    }

    /** What ICE and s_client each made of a refused handshake. */
    private record Refusal(ConnectionOutcome outcome, String clientTranscript) {
    }

    /** Runs an ICE client tunnel against s_server holding another key, and returns the outcome ICE reports. */
    private static ConnectionOutcome iceClientRefusedByOpenSslServer(TlsPolicy policy, String version)
            throws Exception {
        ConnectionRecorder recorder = new ConnectionRecorder();
        try (ExternalPeer server = OpenSsl.server(Interop.hex(Interop.randomKey()), IDENTITY, version, "-rev")) {
            int port = OpenSsl.awaitServerPort(server);

            try (Tunnel tunnel = Interop.tunnel(TunnelMode.CLIENT, port, Interop.randomKey(), policy, recorder,
                    transport);
                    PlainClient app = PlainClient.connect(tunnel.localAddress().getPort())) {
                ConnectionOutcome outcome = recorder.awaitClosed().outcome();

                app.awaitReset(STEP);
                assertEquals(0, recorder.unclaimedOpenings(), "the connection never opened");
                return outcome;
            }
        }
    }

    /**
     * Runs s_client against an ICE server tunnel that should refuse it, and returns the outcome ICE reports. The
     * tunnel allows TLS 1.2 and 1.3, so s_client's version option decides which one is tried.
     */
    private static Refusal refusedOpenSslClient(PresharedKey serverKey, String clientHexKey,
            String clientIdentity, String version) throws IOException, InterruptedException {
        ConnectionRecorder recorder = new ConnectionRecorder();
        try (EchoService echo = EchoService.start();
                Tunnel tunnel = Interop.tunnel(TunnelMode.SERVER, echo.port(), serverKey, Interop.TLS12, recorder,
                    transport);
                ExternalPeer client = OpenSsl.client(tunnel, clientHexKey, clientIdentity, version)) {
            ConnectionOutcome outcome = recorder.awaitClosed().outcome();

            assertNotEquals(0, client.awaitExit(STEP), client::transcript);
            assertEquals(0, recorder.unclaimedOpenings(), "the connection never opened");
            assertEquals(0, echo.connections(), "the plaintext service saw no connection");
            return new Refusal(outcome, client.transcript());
        }
    }
}
