package dev.ice.tunnel;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;

/** A protecting handler that can end its own direction of the stream while the other goes on, as TCP can. */
public interface HalfClosingHandler extends ChannelHandler {

    /**
     * Ends the protected stream in this direction after everything written so far (close_notify, or an
     * end-of-stream token), then shuts the TCP write half.
     *
     * @param ctx this handler's context
     * @return completes when the write half is shut
     */
    ChannelFuture closeOutput(ChannelHandlerContext ctx);
}
