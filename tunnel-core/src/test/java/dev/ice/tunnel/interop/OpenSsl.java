package dev.ice.tunnel.interop;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import dev.ice.tunnel.relay.Tunnel;

/** Starts OpenSSL's test client and server (openssl s_client, s_server) as PSK peers on loopback. */
final class OpenSsl {

    /** s_server prints the port it bound when asked for port 0; -quiet would hide this line. */
    private static final Pattern ACCEPT = Pattern.compile("^ACCEPT 127\\.0\\.0\\.1:(\\d+)$");

    private OpenSsl() {
    }

    /**
     * Starts s_client against a tunnel. {@code -quiet} keeps its stdout to the data alone and makes it ignore the
     * end of its stdin; the stdin stays open anyway, because at its end s_client would spin on the CPU.
     *
     * @param options more s_client options, e.g. the protocol version
     * @return the running client
     */
    static ExternalPeer client(Tunnel tunnel, String hexKey, String identity, String... options) throws IOException {
        List<String> command = new ArrayList<>(List.of(Interop.OPENSSL, "s_client", "-connect",
            "127.0.0.1:" + tunnel.localAddress().getPort(), "-psk", hexKey, "-psk_identity", identity, "-quiet"));
        command.addAll(List.of(options));
        return ExternalPeer.start(command.toArray(String[]::new));
    }

    /**
     * Starts s_server without a certificate on a free loopback port, for one connection.
     *
     * @param options more s_server options, e.g. the protocol version and {@code -rev}
     * @return the running server
     */
    static ExternalPeer server(String hexKey, String identity, String... options) throws IOException {
        List<String> command = new ArrayList<>(List.of(Interop.OPENSSL, "s_server", "-accept", "127.0.0.1:0",
            "-nocert", "-psk", hexKey, "-psk_identity", identity, "-naccept", "1"));
        command.addAll(List.of(options));
        return ExternalPeer.start(command.toArray(String[]::new));
    }

    /** @return the port s_server listens on, once it is ready */
    static int awaitServerPort(ExternalPeer server) throws InterruptedException {
        return Integer.parseInt(server.awaitStdoutLine(ACCEPT, Interop.STEP).group(1));
    }
}
