package dev.ice.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The packaged CLI, run as a user runs it: bin/icetunnel processes configured by the environment. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IcetunnelProcessIT {

    private static final String KEY_HEX = "6a1f0c3e9b2d4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c";
    private static final Path ROOT = Path.of(System.getProperty("ice.root", "."));

    private final List<Process> processes = new ArrayList<>();

    @TempDir
    Path logs;

    @AfterEach
    void stopAll() throws InterruptedException {
        for (Process process : processes) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void clientAndServerProcessesCarryDataBothWaysAndLogEachConnection() throws Exception {
        // Proves: two icetunnel processes, keyed only by ICE_PRESHARED_KEY, carry 16 MiB each way intact, log one
        // open and one close line with byte counts, log a plaintext caller as not TLS, never log the key, and exit
        // 0 on SIGTERM.
        int size = 16 * 1024 * 1024;
        try (ServerSocket echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> echoOnce(echo));
            int serverPort = freePort();
            int clientPort = freePort();
            Process server = start("server.log", "server", "--listen", "127.0.0.1:" + serverPort,
                "--forward", "127.0.0.1:" + echo.getLocalPort());
            Process client = start("client.log", "client", "--listen", "127.0.0.1:" + clientPort,
                "--connect", "127.0.0.1:" + serverPort);
            awaitLog("server.log", "ready:");
            awaitLog("client.log", "ready:");

            byte[] data = new byte[size];
            new Random(5).nextBytes(data);
            byte[] back;
            try (Socket app = new Socket(InetAddress.getLoopbackAddress(), clientPort)) {
                app.setSoTimeout(30_000);
                Thread writer = Thread.ofVirtual().start(() -> writeAndShut(app, data));
                back = app.getInputStream().readAllBytes();
                writer.join();
            }

            assertArrayEquals(sha256(data), sha256(back));
            awaitLog("client.log", "close client closed: up " + size + " B, down " + size + " B");
            awaitLog("server.log", "close server closed: up " + size + " B, down " + size + " B");
            assertTrue(log("client.log").contains("open client"));
            assertTrue(log("client.log").contains("TLSv1.3 TLS_AES_128_GCM_SHA256"), log("client.log"));

            try (Socket garbage = new Socket(InetAddress.getLoopbackAddress(), serverPort)) {
                garbage.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                garbage.setSoTimeout(10_000);
                garbage.getInputStream().readAllBytes();
            }
            awaitLog("server.log", "not TLS (first byte 0x47 opens neither a TLS handshake nor an alert record)");

            server.destroy();
            client.destroy();
            assertEquals(0, server.waitFor());
            assertEquals(0, client.waitFor());
            assertFalse(log("server.log").contains(KEY_HEX), "the key reached the server's log");
            assertFalse(log("client.log").contains(KEY_HEX), "the key reached the client's log");
            LogScan.assertNoKeyMaterial(List.of(logs.resolve("server.log"), logs.resolve("client.log")));
        }
    }

    @Test
    void demoFetchesAPageThroughThePairAndShowsOnlyCiphertext() throws Exception {
        // Proves: the README's first command works and reports success only when the wire held no plaintext.
        Process demo = start("demo.log", "demo");

        assertTrue(demo.waitFor(60, TimeUnit.SECONDS), "demo did not finish");
        assertEquals(0, demo.exitValue(), log("demo.log"));
        String output = log("demo.log");
        assertTrue(output.contains("Negotiated: TLSv1.3 TLS_AES_128_GCM_SHA256"), output);
        assertTrue(output.contains("Plaintext request or page visible on the wire: no"), output);
        assertTrue(output.contains("Demo succeeded."), output);
    }

    private Process start(String logName, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ROOT.resolve("bin/icetunnel").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(logs.resolve(logName).toFile());
        builder.environment().put("ICE_PRESHARED_KEY", "hex:" + KEY_HEX);
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    private void awaitLog(String logName, String text) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(deadline)) {
            if (log(logName).contains(text)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("'" + text + "' not in " + logName + ":\n" + log(logName));
    }

    private String log(String logName) throws IOException {
        Path file = logs.resolve(logName);
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    private static void echoOnce(ServerSocket listener) {
        try (Socket socket = listener.accept()) {
            socket.getInputStream().transferTo(socket.getOutputStream());
            socket.shutdownOutput();
        } catch (IOException e) {
            // The test fails on what its client saw.
        }
    }

    private static void writeAndShut(Socket socket, byte[] data) {
        try {
            OutputStream out = socket.getOutputStream();
            out.write(data);
            socket.shutdownOutput();
        } catch (IOException e) {
            // The reader sees the short stream and the digests differ.
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

}
