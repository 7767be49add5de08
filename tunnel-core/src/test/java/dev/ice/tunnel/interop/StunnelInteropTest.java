package dev.ice.tunnel.interop;

import static dev.ice.tunnel.interop.Interop.STEP;
import static dev.ice.tunnel.interop.Interop.STUNNEL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.ice.tunnel.ConnectionOutcome;
import dev.ice.tunnel.interop.ConnectionRecorder.Opened;
import dev.ice.tunnel.interop.Stunnel.SharedKey;
import dev.ice.tunnel.relay.Transport;
import dev.ice.tunnel.relay.Tunnel;
import dev.ice.tunnel.relay.TunnelMode;
import dev.ice.tunnel.tls.TlsPolicy;

/** ICE against stunnel 5 with TLS 1.3 PSK, stunnel on either side, the key written either way stunnel reads. */
@Timeout(60)
class StunnelInteropTest {

    /** The two ways a PSKsecrets line can hold a key that ICE holds too. */
    enum KeyForm {
        /** Text that is not all hex digits: stunnel uses its bytes, so ICE's key is those bytes. */
        TEXT(SharedKey::text),
        /** Hex digits: stunnel decodes them, as ICE does for "hex:" followed by the same digits. */
        HEX(SharedKey::hex);

        private final Supplier<SharedKey> maker;

        KeyForm(Supplier<SharedKey> maker) {
            this.maker = maker;
        }

        SharedKey newKey() {
            return maker.get();
        }
    }

    private static Transport transport;

    @BeforeAll
    static void startTransport() {
        assumeTrue(ExternalPeer.isInstalled(STUNNEL), STUNNEL + " is not installed");
        transport = Transport.start(1);
    }

    @AfterAll
    static void stopTransport() {
        if (transport != null) {
            transport.close();
        }
    }

    @ParameterizedTest
    @EnumSource(KeyForm.class)
    void stunnelClientReachesPlaintextServiceThroughIceServerTunnel(KeyForm form, @TempDir Path dir)
            throws Exception {
        // Proves: stunnel as a TLS 1.3 PSK client completes a handshake with an ICE server tunnel on
        // TLS_AES_128_GCM_SHA256, and bytes sent into stunnel reach the plaintext service exactly and come back
        // exactly, with ICE counting every byte each way; the application's half-close comes back as a clean end.
        SharedKey key = form.newKey();
        byte[] data = Interop.randomBytes(70_001);
        ConnectionRecorder recorder = new ConnectionRecorder();

        try (EchoService echo = EchoService.start();
                Tunnel tunnel = Interop.tunnel(TunnelMode.SERVER, echo.port(), key.iceKey(), TlsPolicy.DEFAULT,
                    recorder, transport);
                ExternalPeer stunnel = Stunnel.client(dir, key.secretsLine(), tunnel.localAddress().getPort())) {
            int port = Stunnel.awaitAcceptPort(stunnel);

            try (PlainClient app = PlainClient.connect(port)) {
                assertArrayEquals(data, app.exchange(data, data.length, STEP), "what came back through stunnel");
                assertArrayEquals(data, echo.received(), "what reached the plaintext service");
                assertEquals(new Opened("TLSv1.3", "TLS_AES_128_GCM_SHA256"), recorder.awaitOpened());

                app.finishSending();
                assertEquals(0, app.readToEnd(STEP).length, "nothing more after the echo");
            }
            ConnectionRecorder.Closed closed = recorder.awaitClosed();
            assertEquals(ConnectionOutcome.CLOSED, closed.outcome(), stunnel::transcript);
            assertEquals(data.length, closed.bytesUp(), "bytes counted toward the service");
            assertEquals(data.length, closed.bytesDown(), "bytes counted back to stunnel");
        }
    }

    @ParameterizedTest
    @EnumSource(KeyForm.class)
    void iceClientTunnelReachesPlaintextServiceThroughStunnelServer(KeyForm form, @TempDir Path dir)
            throws Exception {
        // Proves: an ICE client tunnel completes a TLS 1.3 PSK handshake with stunnel as a server that has no
        // certificate, on TLS_AES_128_GCM_SHA256, and the application's bytes reach the plaintext service behind
        // stunnel exactly and come back exactly; the application's half-close comes back as a clean end.
        SharedKey key = form.newKey();
        byte[] data = Interop.randomBytes(70_001);
        ConnectionRecorder recorder = new ConnectionRecorder();

        try (EchoService echo = EchoService.start();
                ExternalPeer stunnel = Stunnel.server(dir, key.secretsLine(), echo.port())) {
            int port = Stunnel.awaitAcceptPort(stunnel);

            try (Tunnel tunnel = Interop.tunnel(TunnelMode.CLIENT, port, key.iceKey(), TlsPolicy.DEFAULT, recorder,
                    transport);
                    PlainClient app = PlainClient.connect(tunnel.localAddress().getPort())) {
                assertArrayEquals(data, app.exchange(data, data.length, STEP), "what came back through stunnel");
                assertArrayEquals(data, echo.received(), "what reached the plaintext service");
                assertEquals(new Opened("TLSv1.3", "TLS_AES_128_GCM_SHA256"), recorder.awaitOpened(),
                    stunnel::transcript);

                app.finishSending();
                assertEquals(0, app.readToEnd(STEP).length, "nothing more after the echo");
            }
            ConnectionRecorder.Closed closed = recorder.awaitClosed();
            assertEquals(ConnectionOutcome.CLOSED, closed.outcome(), stunnel::transcript);
            assertEquals(data.length, closed.bytesUp(), "bytes counted toward stunnel");
            assertEquals(data.length, closed.bytesDown(), "bytes counted back to the application");
        }
    }

    @Test
    void iceClientWithWrongKeyIsRefusedByStunnelServer(@TempDir Path dir) throws Exception {
        // Proves: an ICE client tunnel holding another key than stunnel is refused, takes stunnel's alert as a
        // TLS refusal, and resets the application's connection without passing any data.
        ConnectionRecorder recorder = new ConnectionRecorder();

        try (EchoService echo = EchoService.start();
                ExternalPeer stunnel = Stunnel.server(dir, SharedKey.text().secretsLine(), echo.port())) {
            int port = Stunnel.awaitAcceptPort(stunnel);

            try (Tunnel tunnel = Interop.tunnel(TunnelMode.CLIENT, port, SharedKey.text().iceKey(),
                    TlsPolicy.DEFAULT, recorder, transport);
                    PlainClient app = PlainClient.connect(tunnel.localAddress().getPort())) {
                ConnectionOutcome outcome = recorder.awaitClosed().outcome();

                // stunnel's OpenSSL 3.0 answers a PSK binder that does not verify with illegal_parameter: ICE
                // names it as a key the server refused, as it does decrypt_error.
                assertEquals(ConnectionOutcome.KEY_REJECTED_BY_PEER, outcome);
                app.awaitReset(STEP);
                assertEquals(0, recorder.unclaimedOpenings(), "the connection never opened");
                assertEquals(0, echo.connections(), "the plaintext service saw no connection");
            }
        }
    }

    @Test
    void stunnelClientWithWrongKeyIsRefusedAndReportedAsBadKey(@TempDir Path dir) throws Exception {
        // Proves: stunnel holding another key for ICE's identity is refused by an ICE server tunnel, which
        // reports BAD_KEY, and the plaintext service never sees a connection.
        ConnectionRecorder recorder = new ConnectionRecorder();

        try (EchoService echo = EchoService.start();
                Tunnel tunnel = Interop.tunnel(TunnelMode.SERVER, echo.port(), SharedKey.text().iceKey(),
                    TlsPolicy.DEFAULT, recorder, transport);
                ExternalPeer stunnel = Stunnel.client(dir, SharedKey.text().secretsLine(),
                    tunnel.localAddress().getPort())) {
            int port = Stunnel.awaitAcceptPort(stunnel);

            try (PlainClient app = PlainClient.connect(port)) {
                assertEquals(ConnectionOutcome.BAD_KEY, recorder.awaitClosed().outcome(), stunnel::transcript);
                assertEquals(0, recorder.unclaimedOpenings(), "the connection never opened");
                assertEquals(0, echo.connections(), "the plaintext service saw no connection");
            }
        }
    }
}
