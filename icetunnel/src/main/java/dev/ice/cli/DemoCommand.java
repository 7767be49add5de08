package dev.ice.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.HttpServer;

import dev.ice.tunnel.Endpoint;
import dev.ice.tunnel.key.PresharedKey;
import dev.ice.tunnel.relay.ConnectionListener;
import dev.ice.tunnel.relay.Transport;
import dev.ice.tunnel.relay.Tunnel;
import dev.ice.tunnel.relay.TunnelConfig;
import dev.ice.tunnel.relay.TunnelMode;
import dev.ice.tunnel.tls.TlsPolicy;
import dev.ice.tunnel.tls.TlsPskContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code icetunnel demo}: one HTTP fetch through a client and server tunnel on loopback, showing what crossed the
 * wire between them. Needs no root and no configuration; the key is random and lives only in memory.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Fetch a page through an icetunnel client and server on loopback and show the wire.")
final class DemoCommand implements Callable<Integer> {

    private static final String BODY = "Hello through ICE: this page crossed a TLS 1.3 PSK tunnel.\n";
    private static final String SECRET_PATH = "/plaintext-marker-7f3a";

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        HttpServer http = startHttpServer();
        AtomicReference<String> negotiated = new AtomicReference<>("none");
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        TlsPskContext tls = new TlsPskContext(new PresharedKey("demo", raw), TlsPolicy.DEFAULT);
        java.util.Arrays.fill(raw, (byte) 0);

        try (Transport transport = Transport.start(1);
             Tunnel server = startTunnel(TunnelMode.SERVER, http.getAddress(), tls, transport, negotiated);
             WireTap wire = new WireTap(server.localAddress());
             Tunnel client = startTunnel(TunnelMode.CLIENT, new InetSocketAddress(loopback(), wire.port()), tls,
                 transport, negotiated)) {
            out.printf("ICE demo: an HTTP GET through an icetunnel client and server on loopback.%n%n");
            out.printf("  HTTP client -> client tunnel %s -> wire :%d -> server tunnel %s -> HTTP server %s%n%n",
                Endpoint.describe(client.localAddress()), wire.port(), Endpoint.describe(server.localAddress()),
                Endpoint.describe(http.getAddress()));

            HttpResponse<String> response = fetch(client.localAddress().getPort());
            byte[] up = wire.upstream();
            boolean leaked = contains(up, SECRET_PATH) || contains(wire.downstream(), "Hello through ICE");

            out.printf("Negotiated: %s%n", negotiated.get());
            out.printf("On the wire, client -> server, first 48 of %d bytes:%n%s%n", up.length, hex(up, 48));
            out.printf("Plaintext request or page visible on the wire: %s%n", leaked ? "YES (bad)" : "no");
            out.printf("Response: HTTP %d, %s", response.statusCode(), response.body());
            boolean ok = response.statusCode() == 200 && BODY.equals(response.body()) && !leaked;
            out.printf("%nDemo %s.%n", ok ? "succeeded" : "FAILED");
            return ok ? 0 : 1;
        } finally {
            http.stop(0);
        }
    }

    private static Tunnel startTunnel(TunnelMode mode, InetSocketAddress target, TlsPskContext tls,
            Transport transport, AtomicReference<String> negotiated) {
        TunnelConfig config = new TunnelConfig(mode, new Endpoint(Endpoint.LOOPBACK, 0),
            new Endpoint(target.getAddress().getHostAddress(), target.getPort()), Duration.ZERO);
        ConnectionListener listener = new ConnectionListener() {
            @Override
            public void connectionOpened(String protocol, String cipherSuite) {
                negotiated.set(protocol + " " + cipherSuite + ", external PSK with (EC)DHE");
            }
        };
        return Tunnel.start(config, tls, listener, transport);
    }

    private static HttpServer startHttpServer() throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(loopback(), 0), 0);
        http.createContext("/", exchange -> {
            byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        http.start();
        return http;
    }

    private static HttpResponse<String> fetch(int port) throws IOException, InterruptedException {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + SECRET_PATH))
                .timeout(Duration.ofSeconds(10)).build();
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        }
    }

    private static InetAddress loopback() {
        return InetAddress.getLoopbackAddress();
    }

    private static boolean contains(byte[] haystack, String needle) {
        return new String(haystack, StandardCharsets.ISO_8859_1).contains(needle);
    }

    private static String hex(byte[] bytes, int limit) {
        StringBuilder text = new StringBuilder("  ");
        for (int i = 0; i < Math.min(limit, bytes.length); i++) {
            text.append(String.format("%02x", bytes[i])).append(i % 16 == 15 ? "\n  " : " ");
        }
        return text.toString().stripTrailing();
    }
}
