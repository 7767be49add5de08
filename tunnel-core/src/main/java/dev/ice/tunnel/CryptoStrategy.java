package dev.ice.tunnel;

import io.netty.channel.ChannelHandler;

/**
 * How the members of one trust plane protect a connection: TLS 1.3 with a pre-shared key ({@code ice}), or a
 * stream of Fernet tokens ({@code fernet}). It makes one handler per connection; each handler reports the end of
 * its handshake with a {@link dev.ice.tunnel.tls.TlsHandshakeEvent}, the end of the peer's data with a
 * {@link dev.ice.tunnel.tls.TlsInputClosedEvent}, and closes its own direction as a {@link HalfClosingHandler}, so
 * the relay treats every strategy alike.
 */
public interface CryptoStrategy {

    /** @return a handler that opens the protected stream as a client on a newly connected channel */
    ChannelHandler newClientHandler();

    /** @return a handler that accepts the protected stream as a server on a newly accepted channel */
    ChannelHandler newServerHandler();
}
