package dev.ice.sidecar;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * tcpdump on one interface of the root namespace (a veth end on the examples' bridge), writing either a pcap file
 * or one text line per packet.
 */
final class Capture implements AutoCloseable {

    private final Process tcpdump;
    private final Path errors;
    private final Path output;

    private Capture(Process tcpdump, Path errors, Path output) {
        this.tcpdump = tcpdump;
        this.errors = errors;
        this.output = output;
    }

    /**
     * Starts capturing whole packets into a pcap file, and returns once tcpdump listens.
     *
     * @param device the interface, e.g. haproxy's veth end on the bridge
     * @param filter a pcap-filter(7) expression
     * @param pcap where to write
     */
    static Capture packets(String device, String filter, Path pcap) throws IOException, InterruptedException {
        // -B: a 64 MiB kernel buffer, so that a burst of bulk data is not dropped before tcpdump writes it.
        return start(pcap, List.of("-B", "65536", "-s", "0", "-w", pcap.toString()), device, filter, null);
    }

    /**
     * Starts writing one line per matching packet into a text file, and returns once tcpdump listens.
     *
     * @param device the interface
     * @param filter a pcap-filter(7) expression
     * @param text where to write
     */
    static Capture lines(String device, String filter, Path text) throws IOException, InterruptedException {
        return start(text, List.of("-l", "-q"), device, filter, text);
    }

    /** @return the number of packets written so far (text captures only) */
    long count() throws IOException {
        try (var lines = Files.lines(output, StandardCharsets.ISO_8859_1)) {
            return lines.count();
        }
    }

    /** Stops tcpdump after a short pause for the last packets; SIGTERM makes it flush what it holds. */
    @Override
    public void close() throws InterruptedException {
        if (!tcpdump.isAlive()) {
            return;
        }
        Thread.sleep(300);
        tcpdump.destroy();
        if (!tcpdump.waitFor(10, TimeUnit.SECONDS)) {
            tcpdump.destroyForcibly();
        }
    }

    /** @return tcpdump's own report, e.g. how many packets it captured and dropped */
    String report() throws IOException {
        return Files.readString(errors, StandardCharsets.UTF_8);
    }

    private static Capture start(Path output, List<String> options, String device, String filter, Path text)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tcpdump", "-i", device, "-n", "--immediate-mode"));
        command.addAll(options);
        command.add(filter);
        Path errors = Files.createTempFile("ice-tcpdump", ".err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(errors.toFile());
        if (text != null) {
            builder.redirectOutput(text.toFile());
        }
        Process tcpdump = builder.start();
        for (int polls = 0; !Files.readString(errors).contains("listening on"); polls++) {
            if (polls > 100 || !tcpdump.isAlive()) {
                tcpdump.destroyForcibly();
                throw new AssertionError("tcpdump did not start: " + Files.readString(errors));
            }
            Thread.sleep(50);
        }
        return new Capture(tcpdump, errors, output);
    }
}
