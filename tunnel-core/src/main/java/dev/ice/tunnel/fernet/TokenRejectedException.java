package dev.ice.tunnel.fernet;

/** A token failed a check; the message says which, and never holds the token's content. */
final class TokenRejectedException extends Exception {

    TokenRejectedException(String message) {
        super(message);
    }
}
