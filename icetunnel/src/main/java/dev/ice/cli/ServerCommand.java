package dev.ice.cli;

import dev.ice.tunnel.Endpoint;
import dev.ice.tunnel.relay.TunnelMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code icetunnel server}: TLS-PSK in, plaintext out. */
@Command(name = "server", mixinStandardHelpOptions = true,
    description = "Accept TLS-PSK and carry the plaintext to a local service; with --udp, DTLS 1.2 PSK flows "
        + "whose datagrams go to a local UDP service.")
final class ServerCommand extends TunnelCommand {

    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT",
        description = "Where TLS-PSK clients connect, e.g. 0.0.0.0:8443. A bare port binds to loopback.")
    String listen;

    @Option(names = "--forward", required = true, paramLabel = "HOST:PORT",
        description = "The plaintext service to forward to.")
    String forward;

    @Override
    TunnelMode mode() {
        return TunnelMode.SERVER;
    }

    @Override
    Endpoint listen() {
        return Endpoint.parse(listen, "--listen", true);
    }

    @Override
    Endpoint target() {
        return Endpoint.parse(forward, "--forward", false);
    }
}
