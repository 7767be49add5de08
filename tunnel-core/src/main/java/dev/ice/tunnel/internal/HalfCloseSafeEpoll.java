package dev.ice.tunnel.internal;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.util.concurrent.ThreadAwareExecutor;

/**
 * Netty's epoll event loop, with a fix for half-closed sockets.
 *
 * <p>Netty 4.2.18 removes a socket from epoll when it has no events left to wait for (netty/netty#16689), which is
 * the case as soon as a half-closed socket's input has ended and its send buffer is not full. It then still
 * believes the socket is registered, so when the send buffer fills and it asks for EPOLLOUT, epoll_ctl fails with
 * ENOENT and the connection dies: a reply larger than the socket buffer never reached a client that had shut its
 * write half. This wrapper asks for an empty edge-triggered interest instead of none, so the socket stays
 * registered; hang-ups and errors are still reported, once each.
 *
 * <p>Limitation: ICE is pinned to Netty 4.2.18, the newest with a native library served to its build; drop this
 * class when Netty fixes the registration state.
 */
public final class HalfCloseSafeEpoll implements IoHandler {

    private final IoHandler epoll;

    private HalfCloseSafeEpoll(IoHandler epoll) {
        this.epoll = epoll;
    }

    /** @return a factory of epoll handlers that keep half-closed sockets registered */
    public static IoHandlerFactory newFactory() {
        IoHandlerFactory epoll = EpollIoHandler.newFactory();
        return new IoHandlerFactory() {
            @Override
            public IoHandler newHandler(ThreadAwareExecutor executor) {
                return new HalfCloseSafeEpoll(epoll.newHandler(executor));
            }

            @Override
            public boolean isChangingThreadSupported() {
                return epoll.isChangingThreadSupported();
            }
        };
    }

    @Override
    public void initialize() {
        epoll.initialize();
    }

    @Override
    public int run(IoHandlerContext context) {
        return epoll.run(context);
    }

    @Override
    public void prepareToDestroy() {
        epoll.prepareToDestroy();
    }

    @Override
    public void destroy() {
        epoll.destroy();
    }

    @Override
    public IoRegistration register(IoHandle handle) throws Exception {
        return new StayRegistered(epoll.register(handle));
    }

    @Override
    public void wakeup() {
        epoll.wakeup();
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
        return epoll.isCompatible(handleType);
    }

    /** Replaces "no events" with "edge-triggered, no events", which keeps the socket in the epoll set. */
    private record StayRegistered(IoRegistration registration) implements IoRegistration {

        @Override
        public <T> T attachment() {
            return registration.attachment();
        }

        @Override
        public long submit(IoOps ops) {
            if (ops instanceof EpollIoOps epollOps && epollOps.value() == 0) {
                return registration.submit(EpollIoOps.EPOLLET);
            }
            return registration.submit(ops);
        }

        @Override
        public boolean isValid() {
            return registration.isValid();
        }

        @Override
        public boolean cancel() {
            return registration.cancel();
        }
    }
}
