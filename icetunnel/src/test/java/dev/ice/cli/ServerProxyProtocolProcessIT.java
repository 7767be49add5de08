package dev.ice.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code icetunnel server} with its PROXY protocol flags, behind a stand-in load balancer on loopback. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServerProxyProtocolProcessIT {

    private static final String KEY_HEX = "6a1f0c3e9b2d4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c";
    private static final Path ROOT = Path.of(System.getProperty("ice.root", "."));
    private static final String CLIENT_HEADER = "PROXY TCP4 203.0.113.7 127.0.0.1 51000 8443\r\n";
    // The v2 header the server sends on (PROXY protocol section 2.2): signature, PROXY over TCP4, 12 bytes of
    // addresses, then 203.0.113.7:51000 -> 127.0.0.1:8443.
    private static final byte[] SERVICE_HEADER = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54,
        0x0A, 0x21, 0x11, 0x00, 0x0C, (byte) 203, 0, 113, 7, 127, 0, 0, 1, (byte) 0xC7, 0x38, 0x20, (byte) 0xFB};

    private final List<Process> processes = new ArrayList<>();
    private final List<AutoCloseable> listeners = new ArrayList<>();

    @TempDir
    Path logs;

    @AfterEach
    void stopAll() throws Exception {
        for (Process process : processes) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        for (AutoCloseable listener : listeners) {
            listener.close();
        }
    }

    @Test
    void serverFlagsReadTheBalancersHeaderLogTheClientAndNameItToTheService() throws Exception {
        // Proves: --proxy-protocol require with --proxy-trusted takes the client from the balancer's v1 header,
        // logs it in the open line, and --send-proxy-v2 opens the service's stream with a v2 header naming it.
        CompletableFuture<byte[]> headerSeen = new CompletableFuture<>();
        ServerSocket service = listen();
        Thread.ofVirtual().start(() -> serveOnce(service, headerSeen));
        int serverPort = freePort();
        ServerSocket balancer = listen();
        Thread.ofVirtual().start(() -> balanceOnce(balancer, serverPort));
        int clientPort = freePort();

        start("server.log", "server", "--listen", "127.0.0.1:" + serverPort, "--forward",
            "127.0.0.1:" + service.getLocalPort(), "--proxy-protocol", "require", "--proxy-trusted", "127.0.0.1/32",
            "--send-proxy-v2");
        start("client.log", "client", "--listen", "127.0.0.1:" + clientPort, "--connect",
            "127.0.0.1:" + balancer.getLocalPort());
        awaitLog("server.log", "ready:");
        awaitLog("client.log", "ready:");

        try (Socket app = new Socket(InetAddress.getLoopbackAddress(), clientPort)) {
            app.setSoTimeout(30_000);
            app.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("hello\n", new String(app.getInputStream().readNBytes(6), StandardCharsets.US_ASCII));
        }

        assertArrayEquals(SERVICE_HEADER, headerSeen.get(10, TimeUnit.SECONDS));
        awaitLog("server.log", "PROXY protocol: require a header from [127.0.0.1/32], v2 header sent to the service");
        awaitLog("server.log", "open server 203.0.113.7:51000 via 127.0.0.1:");
    }

    private ServerSocket listen() throws IOException {
        ServerSocket socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        listeners.add(socket);
        return socket;
    }

    // The service takes the v2 header off the stream, then echoes.
    private static void serveOnce(ServerSocket listener, CompletableFuture<byte[]> headerSeen) {
        try (Socket socket = listener.accept()) {
            InputStream in = socket.getInputStream();
            headerSeen.complete(in.readNBytes(SERVICE_HEADER.length));
            in.transferTo(socket.getOutputStream());
        } catch (IOException e) {
            headerSeen.completeExceptionally(e);
        }
    }

    // A load balancer with send-proxy: a v1 header, then the client's bytes both ways.
    private static void balanceOnce(ServerSocket listener, int serverPort) {
        try (Socket client = listener.accept();
             Socket server = new Socket(InetAddress.getLoopbackAddress(), serverPort)) {
            server.getOutputStream().write(CLIENT_HEADER.getBytes(StandardCharsets.US_ASCII));
            Thread back = Thread.ofVirtual().start(() -> copy(server, client));
            copy(client, server);
            back.join();
        } catch (IOException | InterruptedException e) {
            // The test fails on what its application saw.
        }
    }

    private static void copy(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
            to.shutdownOutput();
        } catch (IOException e) {
            // One side went away.
        }
    }

    private void start(String logName, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ROOT.resolve("bin/icetunnel").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(logs.resolve(logName).toFile());
        builder.environment().put("ICE_PRESHARED_KEY", "hex:" + KEY_HEX);
        processes.add(builder.start());
    }

    private void awaitLog(String logName, String text) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        Path file = logs.resolve(logName);
        while (Instant.now().isBefore(deadline)) {
            if (Files.exists(file) && Files.readString(file).contains(text)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("'" + text + "' not in " + logName + ":\n"
            + (Files.exists(file) ? Files.readString(file) : ""));
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
