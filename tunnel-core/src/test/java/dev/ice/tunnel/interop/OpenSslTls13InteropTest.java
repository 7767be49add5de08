package dev.ice.tunnel.interop;

import static dev.ice.tunnel.interop.Interop.IDENTITY;
import static dev.ice.tunnel.interop.Interop.OPENSSL;
import static dev.ice.tunnel.interop.Interop.STEP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ice.tunnel.interop.ConnectionRecorder.Closed;
import dev.ice.tunnel.interop.ConnectionRecorder.Opened;
import dev.ice.tunnel.key.PresharedKey;
import dev.ice.tunnel.relay.Transport;
import dev.ice.tunnel.relay.Tunnel;
import dev.ice.tunnel.relay.TunnelMode;
import dev.ice.tunnel.tls.TlsPolicy;

/** ICE's TLS 1.3 external PSK against OpenSSL's own client and server (openssl s_client, s_server). */
@Timeout(60)
class OpenSslTls13InteropTest {

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

    @Test
    void iceClientTunnelCarriesDataBothWaysThroughOpenSslServer() throws Exception {
        // Proves: an ICE client tunnel completes a TLS 1.3 PSK handshake with s_server on TLS_AES_128_GCM_SHA256,
        // s_server reads exactly what the application sent (it answers each line reversed), the application gets
        // exactly s_server's answer, and a half-close from the application comes back as a clean end of stream.
        PresharedKey key = Interop.randomKey();
        String lines = numberedLines(200, 60);
        String reversed = reverseEachLine(lines);
        ConnectionRecorder recorder = new ConnectionRecorder();

        try (ExternalPeer server = OpenSsl.server(Interop.hex(key), IDENTITY, "-tls1_3", "-rev")) {
            int port = OpenSsl.awaitServerPort(server);

            try (Tunnel tunnel = Interop.tunnel(TunnelMode.CLIENT, port, key, TlsPolicy.DEFAULT, recorder, transport);
                    PlainClient app = PlainClient.connect(tunnel.localAddress().getPort())) {
                byte[] reply = app.exchange(bytes(lines), reversed.length(), STEP);

                assertEquals(reversed, new String(reply, StandardCharsets.US_ASCII), server::transcript);
                assertEquals(new Opened("TLSv1.3", "TLS_AES_128_GCM_SHA256"), recorder.awaitOpened());

                app.finishSending();
                assertEquals(0, app.readToEnd(STEP).length, "nothing more after the last answer");
            }
            Closed closed = recorder.awaitClosed();
            assertEquals(lines.length(), closed.bytesUp(), "bytes counted toward s_server");
            assertEquals(reversed.length(), closed.bytesDown(), "bytes counted back from s_server");
        }
    }

    @Test
    void openSslClientReachesPlaintextServiceThroughIceServerTunnel() throws Exception {
        // Proves: s_client completes a TLS 1.3 PSK handshake with an ICE server tunnel (which picks
        // TLS_AES_128_GCM_SHA256 from s_client's three suites), and arbitrary bytes, zeros and newlines included,
        // reach the plaintext service exactly and come back to s_client exactly.
        PresharedKey key = Interop.randomKey();
        byte[] data = Interop.randomBytes(70_001);
        ConnectionRecorder recorder = new ConnectionRecorder();

        try (EchoService echo = EchoService.start();
                Tunnel tunnel = Interop.tunnel(TunnelMode.SERVER, echo.port(), key, TlsPolicy.DEFAULT, recorder,
                    transport)) {
            try (ExternalPeer client = OpenSsl.client(tunnel, Interop.hex(key), IDENTITY, "-tls1_3")) {
                client.send(data);

                assertArrayEquals(data, client.awaitStdout(data.length, STEP), "what came back to s_client");
                assertArrayEquals(data, echo.received(), "what reached the plaintext service");
                assertEquals(new Opened("TLSv1.3", "TLS_AES_128_GCM_SHA256"), recorder.awaitOpened());
            }
            Closed closed = recorder.awaitClosed();
            assertEquals(data.length, closed.bytesUp(), "bytes counted toward the service");
            assertEquals(data.length, closed.bytesDown(), "bytes counted back to s_client");
        }
    }

    /** @return lines like "0007:Xq3...", none of which s_server -rev reads as its CLOSE command */
    private static String numberedLines(int count, int width) {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < count; i++) {
            lines.append(String.format("%04d:", i)).append(Interop.randomText(width)).append('\n');
        }
        return lines.toString();
    }

    private static String reverseEachLine(String lines) {
        StringBuilder reversed = new StringBuilder();
        lines.lines().forEach(line -> reversed.append(new StringBuilder(line).reverse()).append('\n'));
        return reversed.toString();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
