package dev.ice.sidecar;

/** An ICE_* variable is missing or invalid; the message names the variable, the value and the fix. */
public final class SidecarConfigException extends IllegalArgumentException {

    /** @param message what is wrong and how to fix it */
    public SidecarConfigException(String message) {
        super(message);
    }
}
