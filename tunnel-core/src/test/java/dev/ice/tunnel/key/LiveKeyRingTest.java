package dev.ice.tunnel.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LiveKeyRingTest {

    private static final String A = "a:hex:00112233445566778899aabbccddeeff";
    private static final String B = "b:hex:ffeeddccbbaa99887766554433221100";

    @TempDir
    Path dir;

    @Test
    void reloadOnRequestTakesTheNewFileAndKeepsTheRingObjectsApart() throws IOException {
        // Proves: a reload (as on SIGHUP) swaps the ring for new connections, while a ring taken before it, as a
        // live connection holds it, is unchanged.
        Path file = write("psk", A + "\n");
        try (LiveKeyRing live = LiveKeyRing.fromFile(file, "ice", warning -> { })) {
            KeyRing before = live.get();
            write("psk", A + "\n" + B + "\n");

            assertTrue(live.reload());

            assertEquals(List.of("a", "b"), live.get().identities());
            assertEquals(List.of("a"), before.identities());
        }
    }

    @Test
    void aBrokenFileIsReportedAndTheKeysInUseAreKept() throws IOException {
        // Proves: a half-written or mistyped file never leaves the tunnel without keys.
        Path file = write("psk", A + "\n");
        try (LiveKeyRing live = LiveKeyRing.fromFile(file, "ice", warning -> { })) {
            write("psk", "a:hex:0011\n");

            assertFalse(live.reload());

            assertEquals(List.of("a"), live.get().identities());
        }
    }

    @Test
    void theWatchReloadsWhenTheFileIsRewrittenInPlace() throws Exception {
        // Proves: an edit of the file itself is picked up without a signal.
        Path file = write("psk", A + "\n");
        try (LiveKeyRing live = LiveKeyRing.fromFile(file, "ice", warning -> { })) {
            live.watch();
            write("psk", B + "\n" + A + "\n");

            awaitIdentities(live, List.of("b", "a"));
        }
    }

    @Test
    void theWatchReloadsWhenASymlinkedSecretIsSwappedAsKubernetesDoes() throws Exception {
        // Proves: the atomic update of a mounted Kubernetes secret (a new timestamped directory, a ..data symlink
        // renamed over the old one, the key a symlink through ..data) is seen and applied.
        Path first = Files.createDirectory(dir.resolve("..2026_12_01"));
        Files.writeString(first.resolve("psk"), A + "\n");
        Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
        Path file = Files.createSymbolicLink(dir.resolve("psk"), Path.of("..data/psk"));
        try (LiveKeyRing live = LiveKeyRing.fromFile(file, "ice", warning -> { })) {
            live.watch();

            Path second = Files.createDirectory(dir.resolve("..2026_12_02"));
            Files.writeString(second.resolve("psk"), B + "\n");
            Files.createSymbolicLink(dir.resolve("..data_tmp"), second.getFileName());
            Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
            Files.delete(first.resolve("psk"));
            Files.delete(first);

            awaitIdentities(live, List.of("b"));
        }
    }

    @Test
    void fixedKeysIgnoreReloads() {
        // Proves: keys from ICE_PRESHARED_KEY have no file to re-read, and a reload says so without failing.
        PresharedKey key = new PresharedKey("ice", new byte[16]);
        try (LiveKeyRing live = LiveKeyRing.fixed(KeyRing.of(key))) {
            assertFalse(live.reload());
            assertTrue(live.file().isEmpty());
            assertEquals(List.of("ice"), live.get().identities());
        }
    }

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    private static void awaitIdentities(LiveKeyRing live, List<String> expected) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (Instant.now().isBefore(deadline)) {
            if (live.get().identities().equals(expected)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("keys still " + live.get().identities() + ", expected " + expected);
    }
}
