package dev.ice.tunnel.fernet;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAmount;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.macasaet.fernet.Validator;

/**
 * One entry of the Fernet specification's test vectors (src/test/resources/fernet-spec). The files are flat arrays
 * of flat objects, so a few patterns read them without a JSON library.
 */
record SpecVector(String desc, String token, String now, String secret, String src, int ttlSeconds, byte[] iv) {

    private static final Pattern OBJECT = Pattern.compile("\\{(.*?)\\}", Pattern.DOTALL);
    private static final Pattern STRING = Pattern.compile("\"(\\w+)\":\\s*\"([^\"]*)\"");
    private static final Pattern NUMBER = Pattern.compile("\"ttl_sec\":\\s*(\\d+)");
    private static final Pattern ARRAY = Pattern.compile("\"iv\":\\s*\\[([^\\]]*)\\]");

    /** @return the vectors of one file, e.g. "invalid.json" */
    static List<SpecVector> load(String file) throws IOException {
        String json;
        try (InputStream in = SpecVector.class.getResourceAsStream("/fernet-spec/" + file)) {
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<SpecVector> vectors = new ArrayList<>();
        Matcher object = OBJECT.matcher(json);
        while (object.find()) {
            vectors.add(parse(object.group(1)));
        }
        return vectors;
    }

    /** @return the moment the vector was made or is checked at */
    Instant instant() {
        return OffsetDateTime.parse(now).toInstant();
    }

    /** @return a validator that checks at the vector's moment with its time to live, as the spec describes */
    Validator<String> validator() {
        Clock clock = Clock.fixed(instant(), ZoneOffset.UTC);
        return new Validator<>() {
            @Override
            public Clock getClock() {
                return clock;
            }

            @Override
            public TemporalAmount getTimeToLive() {
                return Duration.ofSeconds(ttlSeconds);
            }

            @Override
            public Function<byte[], String> getTransformer() {
                return bytes -> new String(bytes, StandardCharsets.UTF_8);
            }
        };
    }

    @Override
    public String toString() {
        return desc.isEmpty() ? token : desc;
    }

    private static SpecVector parse(String body) {
        java.util.Map<String, String> strings = new java.util.HashMap<>();
        Matcher string = STRING.matcher(body);
        while (string.find()) {
            strings.put(string.group(1), string.group(2));
        }
        Matcher ttl = NUMBER.matcher(body);
        Matcher iv = ARRAY.matcher(body);
        return new SpecVector(strings.getOrDefault("desc", ""), strings.get("token"), strings.get("now"),
            strings.get("secret"), strings.get("src"), ttl.find() ? Integer.parseInt(ttl.group(1)) : 0,
            iv.find() ? bytes(iv.group(1)) : null);
    }

    private static byte[] bytes(String list) {
        String[] items = list.split(",");
        byte[] bytes = new byte[items.length];
        for (int i = 0; i < items.length; i++) {
            bytes[i] = (byte) Integer.parseInt(items[i].strip());
        }
        return bytes;
    }
}
