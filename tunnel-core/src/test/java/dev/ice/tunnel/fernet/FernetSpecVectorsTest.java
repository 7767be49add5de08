package dev.ice.tunnel.fernet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import javax.crypto.spec.IvParameterSpec;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.macasaet.fernet.Key;
import com.macasaet.fernet.Token;
import com.macasaet.fernet.TokenValidationException;

/** The Fernet library ICE uses, held to the Fernet specification's own test vectors. */
class FernetSpecVectorsTest {

    static List<SpecVector> generate() throws IOException {
        return SpecVector.load("generate.json");
    }

    static List<SpecVector> verify() throws IOException {
        return SpecVector.load("verify.json");
    }

    static List<SpecVector> invalid() throws IOException {
        return SpecVector.load("invalid.json");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("generate")
    void generatingWithTheVectorsIvAndTimeGivesTheVectorsToken(SpecVector vector) throws IOException {
        // Proves: AES-128-CBC and HMAC-SHA256 are applied with the spec's key halves and layout (version 0x80,
        // timestamp, IV, ciphertext, HMAC), byte for byte.
        Key key = new Key(vector.secret());
        IvParameterSpec iv = new IvParameterSpec(vector.iv());
        byte[] ciphertext = key.encrypt(vector.src().getBytes(StandardCharsets.UTF_8), iv);
        byte[] hmac = key.sign((byte) 0x80, vector.instant(), iv, ciphertext);

        ByteArrayOutputStream token = new ByteArrayOutputStream();
        token.write(0x80);
        token.write(ByteBuffer.allocate(8).putLong(vector.instant().getEpochSecond()).array());
        token.write(vector.iv());
        token.write(ciphertext);
        token.write(hmac);

        assertArrayEquals(Base64.getUrlDecoder().decode(vector.token()), token.toByteArray());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("verify")
    void verifyingTheVectorsTokenGivesItsSource(SpecVector vector) {
        // Proves: a well-formed token within its time to live decrypts to the vector's source.
        Token token = Token.fromString(vector.token());

        assertEquals(vector.src(), token.validateAndDecrypt(new Key(vector.secret()), vector.validator()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void everyInvalidVectorIsRefused(SpecVector vector) {
        // Proves: each way the spec breaks a token (MAC, length, encoding, padding, time, IV) is refused rather
        // than decrypted.
        Key key = new Key(vector.secret());

        RuntimeException refused = assertThrows(RuntimeException.class,
            () -> Token.fromString(vector.token()).validateAndDecrypt(key, vector.validator()));

        assertEquals(true, refused instanceof TokenValidationException || refused instanceof IllegalArgumentException,
            refused.toString());
    }
}
