package dev.ice.tunnel.relay;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.github.tomakehurst.wiremock.WireMockServer;

/** Real HTTP, served by WireMock, crosses the tunnel pair with bodies and headers exactly as sent. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HttpThroughTunnelTest {

    private static final int CONCURRENT = 200;

    private WireMockServer wireMock;
    private TunnelPair pair;
    private ExecutorService threads;
    private HttpClient http;
    private byte[] large;

    @BeforeEach
    void start() {
        large = new byte[4 * 1024 * 1024 + 17];
        new Random(11).nextBytes(large);
        wireMock = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort()
            .containerThreads(CONCURRENT + 20).jettyAcceptQueueSize(CONCURRENT * 2));
        wireMock.start();
        wireMock.stubFor(get(urlEqualTo("/large")).willReturn(aResponse().withStatus(200)
            .withHeader("Content-Type", "application/octet-stream").withHeader("X-Ice-Check", "large")
            .withBody(large)));
        wireMock.stubFor(get(urlEqualTo("/chunked")).willReturn(aResponse().withStatus(200)
            .withHeader("X-Ice-Check", "chunked").withBody("chunk ".repeat(2000))
            .withChunkedDribbleDelay(8, 200)));
        wireMock.stubFor(post(urlEqualTo("/upload")).withHeader("X-Request-Check", equalTo("sent"))
            .willReturn(aResponse().withStatus(201).withHeader("X-Ice-Check", "upload").withBody("stored")));
        pair = new TunnelPair(new InetSocketAddress("127.0.0.1", wireMock.port()));
        threads = Executors.newFixedThreadPool(CONCURRENT);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(threads)
            .connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterEach
    void stop() {
        http.close();
        threads.shutdownNow();
        pair.close();
        wireMock.stop();
    }

    @Test
    void twoHundredConcurrentRequestsGetExactBodiesAndHeaders() throws Exception {
        // Proves: 200 requests at once, mixing a 4 MiB body, a chunked body and an upload, each arrive exactly.
        List<CompletableFuture<Void>> checks = new ArrayList<>();
        for (int i = 0; i < CONCURRENT; i++) {
            checks.add(switch (i % 3) {
                case 0 -> send(request("/large"), HttpResponse.BodyHandlers.ofByteArray()).thenAccept(response -> {
                    assertEquals(200, response.statusCode());
                    assertEquals("large", response.headers().firstValue("X-Ice-Check").orElseThrow());
                    assertArrayEquals(large, response.body());
                });
                case 1 -> send(request("/chunked"), HttpResponse.BodyHandlers.ofString()).thenAccept(response -> {
                    assertEquals(200, response.statusCode());
                    assertEquals("chunked", response.headers().firstValue("Transfer-Encoding").map(v -> "chunked")
                        .orElse("missing transfer-encoding"));
                    assertEquals("chunk ".repeat(2000), response.body());
                });
                default -> send(upload(i), HttpResponse.BodyHandlers.ofString()).thenAccept(response -> {
                    assertEquals(201, response.statusCode());
                    assertEquals("upload", response.headers().firstValue("X-Ice-Check").orElseThrow());
                    assertEquals("stored", response.body());
                });
            });
        }

        CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new)).get(100, TimeUnit.SECONDS);

        for (int i = 2; i < CONCURRENT; i += 3) {
            wireMock.verify(1, postRequestedFor(urlEqualTo("/upload")).withRequestBody(equalTo(uploadBody(i))));
        }
    }

    private <T> CompletableFuture<HttpResponse<T>> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        return http.sendAsync(request, handler);
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60)).build();
    }

    private HttpRequest upload(int i) {
        return HttpRequest.newBuilder(uri("/upload")).timeout(Duration.ofSeconds(60))
            .header("X-Request-Check", "sent")
            .POST(HttpRequest.BodyPublishers.ofString(uploadBody(i))).build();
    }

    private static String uploadBody(int i) {
        return "upload number " + i + " " + "x".repeat(i * 97);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + pair.client.localAddress().getPort() + path);
    }
}
