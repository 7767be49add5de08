package dev.ice.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.ice.tunnel.KeyMaterial;

/** Reads the logs of icetunnel processes for key material, as tunnel-core's suite does for in-process tunnels. */
final class LogScan {

    private LogScan() {
    }

    /**
     * @param logs the processes' logs
     * @throws AssertionError naming the file, line number and kind of material, never the material itself
     */
    static void assertNoKeyMaterial(List<Path> logs) throws IOException {
        List<String> findings = new ArrayList<>();
        for (Path log : logs) {
            List<String> lines = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
            for (int i = 0; i < lines.size(); i++) {
                Optional<String> found = KeyMaterial.find(lines.get(i));
                if (found.isPresent()) {
                    findings.add(log.getFileName() + " line " + (i + 1) + ": " + found.get());
                }
            }
        }
        if (!findings.isEmpty()) {
            throw new AssertionError("key material in icetunnel's logs: " + findings);
        }
    }
}
