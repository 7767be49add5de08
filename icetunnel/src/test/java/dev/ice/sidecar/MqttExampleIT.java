package dev.ice.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mqtt example with its sidecars: mosquitto_sub in one namespace receives what mosquitto_pub in another sends
 * to the broker in a third, while tcpdump watches the bridge and an outsider without ICE tries to connect.
 *
 * <p>The messages are sent once, before the tests; each test then checks one promise against what happened.
 */
@Tag("namespace")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MqttExampleIT {

    private static final int MESSAGES = 100;

    /** In every message, with the example's own marker: neither may cross the bridge in clear. */
    private final String marker = "ICE-MQTT-MARKER-" + UUID.randomUUID();

    /**
     * The outsider's MQTT client id, which its CONNECT packet carries in clear: seeing it shows the capture works.
     * Short enough for MQTT 3.1.1's 23-byte limit.
     */
    private final String outsiderId = "ice-out-" + HexFormat.of().formatHex(randomBytes(7));

    private Example example;
    private BridgeCapture capture;
    private List<String> sent;
    private List<String> received;
    private int subscriberStatus;
    private Commands.Result publisher;
    private Commands.Result outsider;

    @BeforeAll
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void publishAHundredMessagesWhileCapturingTheBridge(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path work) {
        example = Example.up("mqtt", false);
        String broker = example.env("ICE_BROKER");
        String topic = example.env("ICE_TOPIC");
        String exampleMarker = example.env("ICE_MARKER");
        sent = IntStream.rangeClosed(1, MESSAGES)
            .mapToObj(n -> "message %03d %s %s".formatted(n, exampleMarker, marker))
            .toList();

        capture = BridgeCapture.start(example.env("ICE_BRIDGE"), work);
        // stdbuf: mosquitto_sub's stdout is a pipe here, which the C library would otherwise buffer whole.
        List<String> subscribe = Commands.inNamespace(example.env("ICE_NS_SUBSCRIBER"), "stdbuf", "-oL",
            "mosquitto_sub", "-d", "-h", broker, "-t", topic, "-q", "1", "-C", String.valueOf(MESSAGES), "-W", "60");
        try (RunningProcess subscriber = RunningProcess.start("mosquitto_sub", subscribe, Map.of(),
                work.resolve("mosquitto_sub.log"))) {
            subscriber.awaitLine("Subscribed (mid", Duration.ofSeconds(20));

            // -l: one message per line of input, all over one connection, in order.
            List<String> publish = Commands.inNamespace(example.env("ICE_NS_PUBLISHER"), "mosquitto_pub", "-h",
                broker, "-t", topic, "-q", "1", "-l");
            publisher = Commands.run(Duration.ofSeconds(60), publish, Map.of(), String.join("\n", sent) + "\n");
            outsider = example.run("OUTSIDER", "mosquitto_pub", "-h", broker, "-i", outsiderId, "-t", topic, "-q", "1",
                "-m", "from the outsider");

            subscriberStatus = subscriber.awaitExit(Duration.ofSeconds(60));
            received = subscriber.output().lines().filter(line -> line.contains(marker)).toList();
        }
        capture.stop();
    }

    @AfterAll
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void removeTheExample() {
        try {
            if (capture != null) {
                capture.close();
            }
        } finally {
            if (example != null) {
                example.close();
            }
        }
    }

    @Test
    void aHundredQos1MessagesArriveInOrderThroughTheSidecars() {
        // Proves: MQTT with acknowledgements works through three sidecars, nothing lost, duplicated or reordered.
        assertEquals(0, publisher.exitCode(), publisher.describe());
        assertEquals(0, subscriberStatus, "mosquitto_sub stops with 0 once it has its 100 messages");
        assertEquals(sent, received);

        for (String role : List.of("PUBLISHER", "SUBSCRIBER")) {
            assertTrue(example.sidecarLog(role).stream().anyMatch(line -> line.contains(" open client ")),
                "the " + role + " sidecar carried the connection:\n" + example.sidecarLog(role));
        }
    }

    @Test
    void theBridgeNeverCarriesAMessageInPlaintext() {
        // Proves: an eavesdropper on the containers' network sees none of the messages.
        assertTrue(capture.contains(outsiderId), "the capture saw no plaintext at all, so it proves nothing: "
            + capture.summary());

        assertFalse(capture.contains(marker), "a message crossed the bridge in plaintext");
        assertFalse(capture.contains(example.env("ICE_MARKER")), "a message crossed the bridge in plaintext");
        assertFalse(capture.contains(example.env("ICE_TOPIC")), "the topic crossed the bridge in plaintext");
    }

    @Test
    void theBrokerSidecarRefusesAnOutsiderWithoutIce() {
        // Proves: an MQTT client without the key cannot reach the broker.
        assertNotEquals(0, outsider.exitCode(), outsider.describe());
        String line = example.awaitSidecarLog("BROKER", "a 'not TLS' line for the outsider",
            text -> text.contains("not TLS") && text.contains("from " + example.env("ICE_ADDR_OUTSIDER") + ":"));
        assertTrue(line.contains("first byte 0x10"), "MQTT's CONNECT packet type: " + line);
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }
}
