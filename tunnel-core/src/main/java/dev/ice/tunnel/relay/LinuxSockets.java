package dev.ice.tunnel.relay;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.channel.unix.RawUnixChannelOption;

/**
 * The Linux socket options the transparent sidecar needs and the JDK lacks, through Netty's epoll channels.
 */
public final class LinuxSockets {

    // <linux/netfilter_ipv4.h> SO_ORIGINAL_DST and <linux/netfilter_ipv6/ip6_tables.h> IP6T_SO_ORIGINAL_DST are 80.
    private static final int SO_ORIGINAL_DST = 80;
    private static final int SOL_IP = 0;
    private static final int SOL_IPV6 = 41;
    private static final int SOL_SOCKET = 1;
    // socket(7): SO_MARK; ipv6(7): IPV6_V6ONLY.
    private static final int SO_MARK = 36;
    private static final int IPV6_V6ONLY_OPTION = 26;

    private static final RawUnixChannelOption ORIGINAL_DST_V4 =
        new RawUnixChannelOption("SO_ORIGINAL_DST", SOL_IP, SO_ORIGINAL_DST, 16);
    private static final RawUnixChannelOption ORIGINAL_DST_V6 =
        new RawUnixChannelOption("IP6T_SO_ORIGINAL_DST", SOL_IPV6, SO_ORIGINAL_DST, 28);

    /** Marks a socket's packets (needs CAP_NET_ADMIN), so that ICE's own rules can let them pass. */
    public static final IntegerUnixChannelOption MARK = new IntegerUnixChannelOption("SO_MARK", SOL_SOCKET, SO_MARK);

    /** Keeps an IPv6 listener to IPv6, so that IPv4 has its own listener and its own SO_ORIGINAL_DST. */
    public static final IntegerUnixChannelOption IPV6_V6ONLY =
        new IntegerUnixChannelOption("IPV6_V6ONLY", SOL_IPV6, IPV6_V6ONLY_OPTION);

    private LinuxSockets() {
    }

    /**
     * Checks that this process may mark its sockets, before the sidecar relies on the mark to avoid intercepting
     * its own connections.
     *
     * @param mark the mark
     * @throws IllegalStateException if setting SO_MARK fails, typically for want of CAP_NET_ADMIN
     */
    public static void requireMarkPermitted(int mark) {
        Epoll.ensureAvailability();
        EpollSocketChannel probe = new EpollSocketChannel();
        try {
            probe.config().setOption(MARK, mark);
        } catch (ChannelException e) {
            throw new IllegalStateException("cannot set SO_MARK " + mark + " on the sidecar's sockets ("
                + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage())
                + "); the sidecar needs CAP_NET_ADMIN (docker run --cap-add=NET_ADMIN)",
                e);
        } finally {
            probe.unsafe().closeForcibly();
        }
    }

    /**
     * Reads where an accepted connection was going before a netfilter REDIRECT sent it to ICE.
     *
     * @param accepted a connection accepted by an epoll listener
     * @return the original destination, or empty if the connection was not redirected (it was made to the listener
     *     itself)
     */
    public static Optional<InetSocketAddress> originalDestination(Channel accepted) {
        InetSocketAddress local = (InetSocketAddress) accepted.localAddress();
        boolean ipv6 = local.getAddress().getAddress().length == 16;
        try {
            ByteBuffer raw = accepted.config().getOption(ipv6 ? ORIGINAL_DST_V6 : ORIGINAL_DST_V4);
            InetSocketAddress original = decode(raw.order(ByteOrder.BIG_ENDIAN), ipv6);
            return original.equals(local) ? Optional.empty() : Optional.of(original);
        } catch (ChannelException e) {
            // ENOENT: conntrack has no NAT entry for this connection, so nothing redirected it.
            return Optional.empty();
        }
    }

    // struct sockaddr_in: family (2, host order), port (2, network order), address (4);
    // struct sockaddr_in6: family, port, flowinfo (4), address (16), scope id (4).
    private static InetSocketAddress decode(ByteBuffer raw, boolean ipv6) {
        int port = Short.toUnsignedInt(raw.getShort(2));
        byte[] address = new byte[ipv6 ? 16 : 4];
        raw.get(ipv6 ? 8 : 4, address);
        try {
            return new InetSocketAddress(InetAddress.getByAddress(address), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("kernel returned an address of " + address.length + " bytes", e);
        }
    }
}
