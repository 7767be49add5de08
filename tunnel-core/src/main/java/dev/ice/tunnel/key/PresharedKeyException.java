package dev.ice.tunnel.key;

/**
 * A pre-shared key is missing, unreadable or malformed.
 *
 * <p>The message names where the key came from (a variable or a file) and how to fix it. It never contains the key,
 * nor any part of it.
 */
public final class PresharedKeyException extends RuntimeException {

    /**
     * @param message what is wrong and how to fix it, without the key's value
     */
    public PresharedKeyException(String message) {
        super(message);
    }
}
