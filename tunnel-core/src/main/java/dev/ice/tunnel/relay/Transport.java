package dev.ice.tunnel.relay;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;

import dev.ice.tunnel.internal.HalfCloseSafeEpoll;

/**
 * The event loops every tunnel in the process shares: Netty's native epoll transport, one thread per core.
 *
 * <p>ICE needs epoll rather than the JDK's NIO because the sidecar reads socket options the JDK lacks
 * (SO_ORIGINAL_DST, IP_TRANSPARENT, SO_MARK).
 */
public final class Transport implements AutoCloseable {

    private final EventLoopGroup group;

    private Transport(EventLoopGroup group) {
        this.group = group;
    }

    /**
     * @param threads event-loop threads; 0 means one per available core
     * @return a running transport
     * @throws IllegalStateException if the native epoll transport cannot load, with the reason
     */
    public static Transport start(int threads) {
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("ICE needs Linux with Netty's native epoll transport, which failed to "
                + "load: " + Epoll.unavailabilityCause());
        }
        return new Transport(new MultiThreadIoEventLoopGroup(threads, HalfCloseSafeEpoll.newFactory()));
    }

    /** @return the shared event loops */
    public EventLoopGroup group() {
        return group;
    }

    /** Stops the event loops, waiting briefly for them to finish. */
    @Override
    public void close() {
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
