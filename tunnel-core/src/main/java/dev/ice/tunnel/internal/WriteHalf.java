package dev.ice.tunnel.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;

/** Ends a channel's write half after its last bytes, the one way every ICE handler half-closes a connection. */
public final class WriteHalf {

    private WriteHalf() {
    }

    /**
     * Writes the last bytes (a close_notify, an END token, or nothing), then shuts the TCP write half. Netty drops
     * writes still queued when the write half shuts, so the shutdown waits for the write.
     *
     * @param ctx the context to write from
     * @param last the final message, or null for none
     * @return completes when the write half is shut, or fails with the write's cause
     */
    public static ChannelFuture shutAfter(ChannelHandlerContext ctx, Object last) {
        ChannelPromise shut = ctx.newPromise();
        ctx.writeAndFlush(last == null ? Unpooled.EMPTY_BUFFER : last).addListener((ChannelFuture written) -> {
            if (written.isSuccess()) {
                ((DuplexChannel) ctx.channel()).shutdownOutput(shut);
            } else {
                shut.setFailure(written.cause());
            }
        });
        return shut;
    }
}
