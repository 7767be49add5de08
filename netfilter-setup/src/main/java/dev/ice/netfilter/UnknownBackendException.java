package dev.ice.netfilter;

/**
 * A backend name (the value of {@code ICE_NETFILTER_BACKEND}) is none of the accepted names.
 *
 * <p>The message names the value and lists the accepted names.
 */
public final class UnknownBackendException extends IllegalArgumentException {

    /**
     * @param message the value and the accepted names
     */
    public UnknownBackendException(String message) {
        super(message);
    }
}
