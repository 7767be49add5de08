package dev.ice.tunnel.udp;

import java.io.InterruptedIOException;

/**
 * Thrown from a flow transport's receive to get the worker out of BouncyCastle's blocking receive: either plaintext
 * is waiting to be sealed, or the flow is closing.
 *
 * <p>BouncyCastle passes an {@link InterruptedIOException} up unchanged and leaves the session usable, unlike other
 * I/O errors, which fail it. The instances are shared and carry no stack trace, because one is thrown for every
 * burst of plaintext.
 */
final class FlowInterrupt extends InterruptedIOException {

    /** Plaintext arrived while the worker waited for ciphertext. */
    static final FlowInterrupt PLAINTEXT_WAITING = new FlowInterrupt("plaintext waiting");

    /** The flow is closing: idle, stopped, or its transport was closed. */
    static final FlowInterrupt CLOSING = new FlowInterrupt("flow closing");

    private FlowInterrupt(String message) {
        super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
