package dev.ice.tunnel.fernet;

/** What a token carries, named by the first byte of its plaintext. */
enum RecordType {
    /** A side's hello: the client's nonce, or the server's answer with both nonces. */
    HELLO((byte) 1),
    /** The client's proof, under its session key, that it holds the key for this very connection. */
    READY((byte) 2),
    /** Application bytes. */
    DATA((byte) 3),
    /** The sender will send nothing more: the end of one direction, as TLS's close_notify. */
    END((byte) 4);

    private final byte code;

    RecordType(byte code) {
        this.code = code;
    }

    /** @return the byte that names the type in a token */
    byte code() {
        return code;
    }

    /** @return the type of a code, or null for an unknown code */
    static RecordType of(byte code) {
        for (RecordType type : values()) {
            if (type.code == code) {
                return type;
            }
        }
        return null;
    }
}
