package dev.ice.cli;

/** The configuration was valid but the tunnel could not start, e.g. its listen address is taken. */
final class StartupException extends RuntimeException {

    StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
