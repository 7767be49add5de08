package dev.ice.tunnel.relay;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Optional;

import dev.ice.tunnel.proxy.ProxyHeaderReader;
import dev.ice.tunnel.proxy.ProxyHeaderResult;
import dev.ice.tunnel.proxy.ProxyHeaderWriter;
import dev.ice.tunnel.proxy.ProxyProtocol;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;

/**
 * The PROXY protocol on one accepted server connection: the header read in front of its stream, and the header
 * sent on to the service. Until a header names someone else, the client is the peer itself.
 */
final class ProxyProtocolStage {

    private final ProxyProtocol config;
    private final Connection connection;
    private InetSocketAddress client;
    private InetSocketAddress destination;

    /**
     * @param config the tunnel's PROXY protocol settings
     * @param connection told the real client, or why the stream was refused
     * @param accepted the accepted channel
     * @param target where the tunnel sends it: for the sidecar, the address the client connected to
     */
    ProxyProtocolStage(ProxyProtocol config, Connection connection, Channel accepted,
            Optional<SocketAddress> target) {
        this.config = config;
        this.connection = connection;
        this.client = (InetSocketAddress) accepted.remoteAddress();
        this.destination = destinationOf(accepted, target);
    }

    /** @return whether a header is read before the stream goes on */
    boolean readsHeader() {
        return config.readsHeader();
    }

    /**
     * @param whenAccepted run once a header was read, or none was needed; not run for a refused stream
     * @return the handler that reads the header, first in the accepted channel's pipeline
     */
    ChannelHandler newReader(Runnable whenAccepted) {
        return new ProxyHeaderReader(config, result -> headerRead(result, whenAccepted));
    }

    /** Sends the service a PROXY v2 header naming the client, if configured; call before any other write. */
    void sendHeaderTo(Channel service) {
        if (config.sendToService()) {
            ProxyHeaderWriter.write(service, client, destination);
        }
    }

    private void headerRead(ProxyHeaderResult result, Runnable whenAccepted) {
        switch (result) {
            case ProxyHeaderResult.Proxied proxied -> {
                client = proxied.client();
                destination = proxied.destination();
                connection.behindProxy(client);
                whenAccepted.run();
            }
            case ProxyHeaderResult.Direct direct -> whenAccepted.run();
            case ProxyHeaderResult.Refused refused -> connection.fail(refused.outcome(), refused.detail());
        }
    }

    // The sidecar's target is the original destination, which the client connected to; an explicit tunnel's is
    // the service, so there it is the listener's own address.
    private static InetSocketAddress destinationOf(Channel accepted, Optional<SocketAddress> target) {
        return target.filter(InetSocketAddress.class::isInstance)
            .map(InetSocketAddress.class::cast)
            .filter(address -> !address.isUnresolved())
            .orElse((InetSocketAddress) accepted.localAddress());
    }
}
