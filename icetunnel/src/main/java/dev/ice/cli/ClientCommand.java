package dev.ice.cli;

import dev.ice.tunnel.Endpoint;
import dev.ice.tunnel.relay.TunnelMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code icetunnel client}: plaintext in, TLS-PSK out. */
@Command(name = "client", mixinStandardHelpOptions = true,
    description = "Accept plaintext TCP and carry it over TLS-PSK to an icetunnel server (or any TLS-PSK peer); "
        + "with --udp, UDP datagrams over DTLS 1.2 PSK.")
final class ClientCommand extends TunnelCommand {

    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT",
        description = "Where the application connects, e.g. 127.0.0.1:8080. A bare port binds to loopback.")
    String listen;

    @Option(names = "--connect", required = true, paramLabel = "HOST:PORT",
        description = "The TLS-PSK server to connect to.")
    String connect;

    @Override
    TunnelMode mode() {
        return TunnelMode.CLIENT;
    }

    @Override
    Endpoint listen() {
        return Endpoint.parse(listen, "--listen", true);
    }

    @Override
    Endpoint target() {
        return Endpoint.parse(connect, "--connect", false);
    }
}
