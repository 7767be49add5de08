package dev.ice.tunnel.tls;

import java.io.IOException;

/**
 * A TLS connection that can close one direction at a time, as TCP can.
 *
 * <p>RFC 8446 §6.1 lets each side send close_notify when it has finished writing and go on reading. BouncyCastle
 * answers a received close_notify by closing both directions, which would cut off a reply still being sent, so
 * ICE's protocol subclasses take close_notify as the end of the peer's data only.
 */
interface HalfClosingTls {

    /** Sends close_notify: nothing more will be written, but reading goes on. */
    void closeOutput() throws IOException;

    /** @return whether the peer has sent close_notify */
    boolean isInputClosed();
}
