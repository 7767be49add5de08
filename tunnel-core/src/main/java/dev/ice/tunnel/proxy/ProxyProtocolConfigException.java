package dev.ice.tunnel.proxy;

/** A PROXY protocol setting is invalid; the message names the option or variable, the value and the fix. */
public final class ProxyProtocolConfigException extends IllegalArgumentException {

    /** @param message what is wrong and how to fix it */
    public ProxyProtocolConfigException(String message) {
        super(message);
    }
}
