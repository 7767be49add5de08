package dev.ice.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The packaged CLI's UDP tunnels, run as a user runs them: bin/icetunnel processes with --udp. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IcetunnelUdpProcessIT {

    private static final String KEY_HEX = "5b1f0c3e9b2d4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c";
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
    void udpClientAndServerProcessesEchoDatagramsAndLogEachFlow() throws Exception {
        // Proves: two icetunnel processes started with --udp carry 200 datagrams to a UDP echo and back intact,
        // replies come from the client's listening address, each process logs ready, one flow open line with
        // DTLSv1.2 and ECDHE_PSK, and on SIGTERM one close line with datagram counts; the key is never logged and
        // both exit 0.
        try (DatagramSocket echo = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                DatagramSocket app = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Thread.ofVirtual().start(() -> echoAll(echo));
            int serverPort = freePort();
            int clientPort = freePort();
            Process server = start("server.log", "server", "--udp", "--listen", "127.0.0.1:" + serverPort,
                "--forward", "127.0.0.1:" + echo.getLocalPort());
            Process client = start("client.log", "client", "--udp", "--listen", "127.0.0.1:" + clientPort,
                "--connect", "127.0.0.1:" + serverPort);
            awaitLog("server.log", "ready: udp server tunnel");
            awaitLog("client.log", "ready: udp client tunnel");

            InetSocketAddress tunnel = new InetSocketAddress(InetAddress.getLoopbackAddress(), clientPort);
            app.setSoTimeout(10_000);
            Random random = new Random(3);
            for (int i = 0; i < 200; i++) {
                byte[] sent = new byte[1 + random.nextInt(1400)];
                random.nextBytes(sent);
                app.send(new DatagramPacket(sent, sent.length, tunnel));
                DatagramPacket reply = new DatagramPacket(new byte[2048], 2048);
                app.receive(reply);
                assertArrayEquals(sent, Arrays.copyOf(reply.getData(), reply.getLength()), "datagram " + i);
                assertEquals(tunnel, reply.getSocketAddress());
            }

            awaitLog("client.log", "DTLSv1.2 TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256");
            client.destroy();
            server.destroy();
            assertEquals(0, client.waitFor());
            assertEquals(0, server.waitFor());
            assertTrue(log("client.log").contains("close client shutdown: up 200 datagrams"), log("client.log"));
            assertTrue(log("server.log").contains("up 200 datagrams"), log("server.log"));
            assertFalse(log("server.log").contains(KEY_HEX), "the key reached the server's log");
            assertFalse(log("client.log").contains(KEY_HEX), "the key reached the client's log");
        }
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

    private static void echoAll(DatagramSocket socket) {
        byte[] buffer = new byte[65536];
        try {
            while (true) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                socket.send(new DatagramPacket(Arrays.copyOf(buffer, packet.getLength()), packet.getLength(),
                    packet.getSocketAddress()));
            }
        } catch (IOException closed) {
            // The test closes the socket when it ends.
        }
    }

    private static int freePort() throws IOException {
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
