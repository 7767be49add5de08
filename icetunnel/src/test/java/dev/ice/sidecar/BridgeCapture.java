package dev.ice.sidecar;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A tcpdump capture of everything that crosses the examples' bridge, which is what an eavesdropper on the
 * containers' network would see.
 *
 * <p>The file is searched for a marker's bytes as they are, packet headers and all.
 */
final class BridgeCapture implements AutoCloseable {

    /**
     * tcpdump can still hold packets it has not written when it is stopped right after the traffic; the examples'
     * author saw them go missing, so the capture runs this much longer.
     */
    private static final Duration SETTLE = Duration.ofMillis(700);

    private static final Duration STARTUP = Duration.ofSeconds(10);

    private final RunningProcess tcpdump;
    private final Path pcap;
    private boolean stopped;

    private BridgeCapture(RunningProcess tcpdump, Path pcap) {
        this.tcpdump = tcpdump;
        this.pcap = pcap;
    }

    /**
     * Starts capturing and returns once tcpdump listens.
     *
     * @param bridge the interface, ice-br0
     * @param directory where the capture file and tcpdump's output go
     * @return the running capture
     */
    static BridgeCapture start(String bridge, Path directory) {
        Path pcap = directory.resolve(bridge + ".pcap");
        // -B: a 32 MiB kernel buffer holds a whole 10 MiB transfer, so that no packet is dropped while tcpdump lags.
        // -Z root: tcpdump would otherwise drop to its own user and be unable to write into the test's directory.
        List<String> command = List.of("tcpdump", "-i", bridge, "-w", pcap.toString(), "--immediate-mode", "-U",
            "-B", "32768", "-n", "-Z", "root");
        RunningProcess tcpdump = RunningProcess.start("tcpdump on " + bridge, command, Map.of(),
            directory.resolve("tcpdump.log"));
        try {
            tcpdump.awaitLine("listening on " + bridge, STARTUP);
        } catch (AssertionError e) {
            tcpdump.close();
            throw e;
        }
        return new BridgeCapture(tcpdump, pcap);
    }

    /** Stops capturing, after letting the last packets reach the file. */
    void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        Commands.pause(SETTLE);
        // SIGTERM makes tcpdump flush the file and print its packet counts.
        int status = tcpdump.terminate();
        if (status != 0) {
            throw new AssertionError("tcpdump exited " + status + ":\n" + tcpdump.output());
        }
        // A dropped packet could be the very one with a marker in it.
        String dropped = tcpdump.awaitLine("packets dropped by kernel", STARTUP);
        if (!dropped.strip().equals("0 packets dropped by kernel")) {
            throw new AssertionError("tcpdump dropped packets, so the capture is incomplete:\n" + tcpdump.output());
        }
    }

    /**
     * @param text a marker
     * @return whether the capture holds its bytes; stops the capture first
     */
    boolean contains(String text) {
        stop();
        byte[] needle = text.getBytes(StandardCharsets.US_ASCII);
        byte[] haystack = bytes();
        // Limitation: a marker split across two TCP segments is not found, because packets are searched one by one
        // as stored; the markers are short and sent at the start of a request or page, which fits in one segment.
        for (int at = 0; at + needle.length <= haystack.length; at++) {
            if (Arrays.equals(haystack, at, at + needle.length, needle, 0, needle.length)) {
                return true;
            }
        }
        return false;
    }

    /** @return the capture file's size in bytes; stops the capture first */
    long size() {
        stop();
        return bytes().length;
    }

    /** @return what tcpdump said, e.g. how many packets it captured */
    String summary() {
        return tcpdump.output();
    }

    @Override
    public void close() {
        tcpdump.close();
    }

    private byte[] bytes() {
        try {
            return Files.readAllBytes(pcap);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
