package dev.ice.tunnel.fernet;

/** Which way a token travels; its code is carried in every token's plaintext so that a reflected token is seen. */
enum Direction {
    /** From the client tunnel to the server tunnel. */
    CLIENT_TO_SERVER((byte) 'C', "client-to-server"),
    /** From the server tunnel back to the client tunnel. */
    SERVER_TO_CLIENT((byte) 'S', "server-to-client");

    private final byte code;
    private final String label;

    Direction(byte code, String label) {
        this.code = code;
        this.label = label;
    }

    /** @return the byte that names the direction in a token */
    byte code() {
        return code;
    }

    /** @return the direction's name in key derivation and logs */
    String label() {
        return label;
    }
}
