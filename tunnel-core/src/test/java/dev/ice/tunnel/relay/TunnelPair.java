package dev.ice.tunnel.relay;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

import dev.ice.tunnel.Endpoint;
import dev.ice.tunnel.key.PresharedKey;
import dev.ice.tunnel.tls.TlsPolicy;
import dev.ice.tunnel.tls.TlsPskContext;

/**
 * A client tunnel and a server tunnel on loopback, the way two icetunnel processes would run, with the server
 * forwarding to a test backend.
 */
final class TunnelPair implements AutoCloseable {

    static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    final Transport transport = Transport.start(2);
    final RecordingListener serverEvents = new RecordingListener();
    final RecordingListener clientEvents = new RecordingListener();
    final Tunnel server;
    final Tunnel client;

    TunnelPair(InetSocketAddress backend) {
        this(backend, new PresharedKey("ice", KEY), TlsPolicy.DEFAULT);
    }

    TunnelPair(InetSocketAddress backend, PresharedKey key, TlsPolicy policy) {
        server = Tunnel.start(config(TunnelMode.SERVER, backend, Duration.ZERO), new TlsPskContext(key, policy),
            serverEvents, transport);
        client = clientTo(new TlsPskContext(key, policy), clientEvents);
    }

    /** Starts another client tunnel toward this pair's server, e.g. with a different key. */
    Tunnel clientTo(TlsPskContext tls, ConnectionListener listener) {
        return Tunnel.start(config(TunnelMode.CLIENT, server.localAddress(), Duration.ZERO), tls, listener,
            transport);
    }

    /** @return a plaintext socket connected to the client tunnel, as the application would hold */
    Socket connectClient() throws IOException {
        return connect(client);
    }

    static Socket connect(Tunnel tunnel) throws IOException {
        Socket socket = new Socket(tunnel.localAddress().getAddress(), tunnel.localAddress().getPort());
        socket.setSoTimeout(30_000);
        return socket;
    }

    static TunnelConfig config(TunnelMode mode, InetSocketAddress target, Duration idle) {
        return new TunnelConfig(mode, new Endpoint("127.0.0.1", 0),
            new Endpoint(target.getAddress().getHostAddress(), target.getPort()), idle);
    }

    @Override
    public void close() {
        client.close();
        server.close();
        transport.close();
    }
}
