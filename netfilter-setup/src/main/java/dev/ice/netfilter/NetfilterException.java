package dev.ice.netfilter;

/**
 * A netfilter command failed, or the tool it needs is not installed.
 *
 * <p>The message names the backend, the command line and the tool's own error output, so that an operator can run
 * the same command by hand. When this is thrown by {@link Netfilter#install}, ICE's rules have already been removed:
 * no half-installed interception is left behind.
 */
public final class NetfilterException extends RuntimeException {

    /**
     * @param message what failed: backend, command and the tool's error output
     */
    public NetfilterException(String message) {
        super(message);
    }
}
