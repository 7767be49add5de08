package dev.ice.cli;

import java.time.Duration;

import dev.ice.tunnel.Endpoint;
import dev.ice.tunnel.proxy.ProxyProtocol;
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

    @Option(names = "--proxy-protocol", paramLabel = "MODE", defaultValue = "off",
        description = "Read a PROXY protocol header (v1 or v2) in front of each TLS stream, as haproxy's send-proxy "
            + "sends: off, accept (when one comes) or require (refuse streams without one). Default: off.")
    String proxyProtocol;

    @Option(names = "--proxy-trusted", paramLabel = "CIDR[,CIDR...]",
        description = "The load balancers whose PROXY headers are believed, e.g. 10.0.0.5/32; a header from "
            + "anywhere else is refused. Needed with --proxy-protocol accept or require.")
    String proxyTrusted;

    @Option(names = "--send-proxy-v2",
        description = "Open each connection to the service with a PROXY v2 header naming the real client, for "
            + "services that expect one (nginx: listen ... proxy_protocol).")
    boolean sendProxyV2;

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

    @Override
    ProxyProtocol proxyProtocol(Duration handshakeTimeout) {
        return ProxyProtocol.parse("--proxy-protocol", proxyProtocol, "--proxy-trusted", proxyTrusted, sendProxyV2,
            handshakeTimeout);
    }
}
