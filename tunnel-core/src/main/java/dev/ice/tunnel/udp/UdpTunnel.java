package dev.ice.tunnel.udp;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ice.tunnel.ConnectionOutcome;
import dev.ice.tunnel.Endpoint;
import dev.ice.tunnel.relay.ConnectionListener;
import dev.ice.tunnel.relay.LinuxSockets;
import dev.ice.tunnel.relay.Transport;
import dev.ice.tunnel.relay.TunnelConfig;
import dev.ice.tunnel.relay.TunnelMode;
import dev.ice.tunnel.tls.DtlsCookieGate;
import dev.ice.tunnel.tls.DtlsHello;
import dev.ice.tunnel.tls.DtlsPskContext;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramPacket;

/**
 * A listening UDP tunnel: datagrams from each peer address form a flow, and each flow is one DTLS 1.2 PSK session.
 *
 * <ul>
 *   <li>Client mode: plaintext datagrams from an application become records of a DTLS client flow to the target
 *       (an ICE server tunnel, or any DTLS-PSK server); replies go back to the application from the listening
 *       address it sent to.</li>
 *   <li>Server mode: DTLS flows come in; each flow's plaintext goes to the target from a socket of its own, so that
 *       the target's replies map back to the flow.</li>
 * </ul>
 *
 * <p>A server answers every ClientHello without a valid cookie with a stateless HelloVerifyRequest
 * ({@link DtlsCookieGate}): no flow, socket or thread exists for a peer before it has proved its address.
 *
 * <p>Flows end after the idle timeout, when the peer sends close_notify, or when the tunnel closes (each then
 * sends close_notify). At most {@code maxFlows} exist at once; what would open another is dropped and logged.
 * Datagrams larger than {@link DatagramLimits#maxPayload} are dropped, counted and logged, never cut.
 *
 * <p>DTLS 1.2 has no stateless reset, so a server that restarted cannot tell a client that it forgot the session.
 * A client flow therefore sends a heartbeat (RFC 6520) every quarter of the idle timeout (0.5-15 s) and ends as
 * upstream unreachable when one goes unanswered; the application's next datagram opens a new flow. A server that
 * is down, rather than restarted, ends the flow at once through ICMP port unreachable.
 *
 * <p>Limitation: against a DTLS server without heartbeats, such as OpenSSL 3.0, a client flow whose server
 * restarted sends into the void until it has been idle for the idle timeout, because nothing else tells it.
 */
public final class UdpTunnel implements AutoCloseable {

    private static final Logger DATAGRAMS = LoggerFactory.getLogger("ice.datagram");

    // A flow's own socket stops taking datagrams past this much unsent, and drops them as a full kernel buffer would.
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 512 * 1024);
    private static final int MINIMUM_PLAINTEXT_READ = 2048;
    private static final long CLOSE_WAIT_MILLIS = 3000;
    private static final Duration MINIMUM_HEARTBEAT = Duration.ofMillis(500);
    private static final Duration MAXIMUM_HEARTBEAT = Duration.ofSeconds(15);
    // How often parked workers past their deadline are woken: the idle timeout's precision (see FlowInbox).
    private static final long SWEEP_MILLIS = 200;

    private final UdpTunnelConfig config;
    private final FlowRouting routing;
    private final DtlsPskContext dtls;
    private final ConnectionListener listener;
    private final boolean client;
    private final FlowTable table;
    private final DropLog drops;
    private final DtlsCookieGate cookies;
    private final Channel channel;
    private final FlowSettings settings;
    private final Bootstrap targetSockets;
    private final Flow.Owner owner = new Owner();
    private final ScheduledFuture<?> sweep;
    private final Duration heartbeat;
    private volatile boolean closing;

    private UdpTunnel(UdpTunnelConfig config, FlowRouting routing, DtlsPskContext dtls, ConnectionListener listener,
            Transport transport, boolean ipv6Path) {
        this.config = config;
        this.routing = routing;
        this.dtls = dtls;
        this.listener = listener;
        this.client = config.mode() == TunnelMode.CLIENT;
        this.table = new FlowTable(config.maxFlows());
        this.heartbeat = heartbeatInterval(config.idleTimeout());
        this.drops = new DropLog(listener);
        this.cookies = client ? null : dtls.newCookieGate();
        this.settings = settings(config, ipv6Path, drops);
        this.channel = bind(transport);
        this.targetSockets = new Bootstrap()
            .group(channel.eventLoop())
            .channel(EpollDatagramChannel.class)
            .option(ChannelOption.RCVBUF_ALLOCATOR, readBuffer(!client))
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK);
        this.sweep = channel.eventLoop().scheduleAtFixedRate(this::wakeOverdueWorkers, SWEEP_MILLIS, SWEEP_MILLIS,
            TimeUnit.MILLISECONDS);
    }

    /**
     * Starts an explicit UDP tunnel: every flow goes to the configured target.
     *
     * @param config what to listen on and where to go
     * @param dtls the trust plane's DTLS settings
     * @param listener told about each flow and each dropped datagram
     * @param transport the event loops to run on
     * @return the running tunnel
     * @throws IllegalArgumentException if the target's host cannot be resolved
     */
    public static UdpTunnel start(UdpTunnelConfig config, DtlsPskContext dtls, ConnectionListener listener,
            Transport transport) {
        // Limitation: the target's name is resolved once, here, because the path's address family and the
        // largest datagram follow from it; a target that moves needs a restart.
        InetSocketAddress target = new InetSocketAddress(config.target().host(), config.target().port());
        if (target.isUnresolved()) {
            throw new IllegalArgumentException("UDP target '" + config.target() + "': cannot resolve the host; give "
                + "an address or a name this host resolves");
        }
        boolean ipv6Path = config.mode() == TunnelMode.CLIENT ? target.getAddress() instanceof Inet6Address
            : config.listen().host().contains(":");
        return new UdpTunnel(config, FlowRouting.fixed(target), dtls, listener, transport, ipv6Path);
    }

    /**
     * Starts a UDP tunnel whose flows go where the routing says, as a transparent sidecar will.
     *
     * @param config what to listen on; its target is used only to pick the path's address family in client mode
     * @param routing where flows go and where replies come from
     * @param dtls the trust plane's DTLS settings
     * @param listener told about each flow and each dropped datagram
     * @param transport the event loops to run on
     * @return the running tunnel
     */
    public static UdpTunnel start(UdpTunnelConfig config, FlowRouting routing, DtlsPskContext dtls,
            ConnectionListener listener, Transport transport) {
        Endpoint path = config.mode() == TunnelMode.CLIENT ? config.target() : config.listen();
        return new UdpTunnel(config, routing, dtls, listener, transport, path.host().contains(":"));
    }

    /** @return the address the listener is bound to, with the real port when port 0 was asked for */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** @return the flows open or handshaking now */
    public int flowCount() {
        return table.size();
    }

    /** @return the largest application datagram this tunnel carries */
    public int maxPayload() {
        return settings.maxPayload();
    }

    /**
     * Ends every flow with close_notify, waiting a few seconds for them to finish, then closes the listener. New
     * peers are ignored meanwhile; the listener stays open until then so that close_notify can reach them.
     */
    @Override
    public void close() {
        closing = true;
        for (Flow flow : table.all()) {
            flow.stop(ConnectionOutcome.SHUTDOWN, "");
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MILLIS);
        while (table.size() > 0 && System.nanoTime() < deadline) {
            sleepBriefly();
        }
        sweep.cancel(false);
        channel.close().syncUninterruptibly();
    }

    private void wakeOverdueWorkers() {
        long now = System.nanoTime();
        table.forEach(flow -> flow.wakeIfDue(now));
    }

    // A quarter of the idle timeout, between 0.5 s and 15 s: a client learns of a restarted server within two
    // intervals (one to ask, one to wait), well within an idle period, for one small record pair per interval.
    private static Duration heartbeatInterval(Duration idleTimeout) {
        Duration quarter = idleTimeout.dividedBy(4);
        return quarter.compareTo(MAXIMUM_HEARTBEAT) > 0 ? MAXIMUM_HEARTBEAT
            : quarter.compareTo(MINIMUM_HEARTBEAT) < 0 ? MINIMUM_HEARTBEAT : quarter;
    }

    private static FlowSettings settings(UdpTunnelConfig config, boolean ipv6, DropLog drops) {
        int maxPayload = DatagramLimits.maxPayload(config.pathMtu(), ipv6);
        String advice = "the largest carried is " + maxPayload + " bytes, for a " + config.pathMtu() + "-byte path "
            + "MTU over " + (ipv6 ? "IPv6" : "IPv4") + "; send smaller datagrams, or raise the path MTU (--mtu) if "
            + "every link between the tunnel ends allows";
        return new FlowSettings(config.mode() == TunnelMode.CLIENT, maxPayload,
            DatagramLimits.maxUdpPayload(config.pathMtu(), ipv6), config.idleTimeout().toMillis(),
            TunnelConfig.CONNECT_TIMEOUT.toMillis(), advice, drops);
    }

    private Channel bind(Transport transport) {
        Bootstrap bootstrap = new Bootstrap()
            .group(transport.group())
            .channel(EpollDatagramChannel.class)
            .option(ChannelOption.RCVBUF_ALLOCATOR, readBuffer(client))
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
            .handler(new ListenerHandler());
        if (config.listen().host().contains(":")) {
            bootstrap.option(LinuxSockets.IPV6_V6ONLY, 1);
        }
        return bootstrap.bind(config.listen().host(), config.listen().port()).syncUninterruptibly().channel();
    }

    // One datagram per read, in a buffer one byte larger than anything carried: a datagram that fills it may have
    // been cut by the kernel, and is dropped as too large rather than passed on shortened.
    private FixedRecvByteBufAllocator readBuffer(boolean plaintext) {
        int size = plaintext ? Math.max(MINIMUM_PLAINTEXT_READ, settings.maxPayload() + 1)
            : DatagramLimits.MAXIMUM_RECORD + 1;
        return new FixedRecvByteBufAllocator(size);
    }

    private void onDatagram(DatagramPacket packet) {
        if (closing) {
            return;
        }
        InetSocketAddress peer = packet.sender();
        InetSocketAddress recipient = packet.recipient();
        Datagram datagram = new Datagram(ByteBufUtil.getBytes(packet.content()), peer);
        Flow flow = table.find(routing.flowKey(peer, recipient));
        if (flow != null && flow.isEnding()) {
            // It is sending close_notify: what comes now belongs to the peer's next flow.
            table.remove(flow.key(), flow);
            flow = null;
        }
        if (client) {
            onPlaintext(flow, datagram, recipient);
        } else {
            onCiphertext(flow, datagram, recipient);
        }
    }

    private void onPlaintext(Flow flow, Datagram datagram, InetSocketAddress recipient) {
        if (flow != null) {
            flow.fromPeer(datagram);
            return;
        }
        int size = datagram.bytes().length;
        if (size > settings.maxPayload()) {
            drops.dropped(ConnectionOutcome.DATAGRAM_TOO_LARGE, size, "dropped a " + size + "-byte datagram from "
                + Endpoint.describe(datagram.sender()) + ": " + settings.tooLargeAdvice());
            return;
        }
        Flow opened = open(datagram, recipient, (self, transport) -> dtls.connect(transport, heartbeat));
        if (opened != null) {
            opened.fromPeer(datagram);
        }
    }

    private void onCiphertext(Flow flow, Datagram datagram, InetSocketAddress recipient) {
        byte[] bytes = datagram.bytes();
        boolean hello = Records.isClientHello(bytes);
        if (flow != null && !(hello && flow.isEstablished())) {
            flow.fromPeer(datagram);
            return;
        }
        Flow moved = flow == null ? table.findByConnectionId(bytes) : null;
        if (moved != null) {
            moved.fromPeer(datagram);
        } else if (hello) {
            admit(flow, datagram, recipient);
        } else {
            DATAGRAMS.debug("dropped a {}-byte datagram from {}: it belongs to no flow and is no ClientHello",
                bytes.length, Endpoint.describe(datagram.sender()));
        }
    }

    // RFC 6347 §4.2.8: a verified hello from the address of an established flow starts a new association there.
    private void admit(Flow existing, Datagram datagram, InetSocketAddress recipient) {
        InetSocketAddress peer = datagram.sender();
        Optional<DtlsHello> hello = cookies.admit(peer, datagram.bytes(),
            reply -> channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(reply), peer)));
        if (hello.isEmpty()) {
            return;
        }
        if (existing != null) {
            existing.stop(ConnectionOutcome.CLOSED, "the peer began a new session from the same address");
            table.remove(existing.key(), existing);
        }
        open(datagram, recipient, (self, transport) -> dtls.accept(transport, hello.get(),
            () -> table.issueConnectionId(self)));
    }

    private Flow open(Datagram first, InetSocketAddress recipient, Flow.Handshake handshake) {
        InetSocketAddress peer = first.sender();
        if (table.isFull()) {
            drops.dropped(ConnectionOutcome.FLOW_LIMIT, first.bytes().length, "refused a new flow from "
                + Endpoint.describe(peer) + ": the tunnel holds its maximum of " + table.maxFlows() + " flows; "
                + "raise the flow limit (--max-flows) or shorten the idle timeout");
            return null;
        }
        Optional<InetSocketAddress> destination = routing.destination(peer, recipient);
        if (destination.isEmpty()) {
            drops.dropped(ConnectionOutcome.NOT_INTERCEPTED, first.bytes().length, "refused a new flow from "
                + Endpoint.describe(peer) + ": the routing has no destination for it");
            return null;
        }
        Object key = routing.flowKey(peer, recipient);
        FlowRecord record = new FlowRecord(client ? "client" : "server", Endpoint.describe(peer),
            Endpoint.describe(destination.get()), listener);
        Flow flow = new Flow(record, settings, key, peer, recipient, destination.get(), handshake, owner,
            routing.replySource(channel, recipient));
        table.add(key, flow);
        flow.start(targetSockets);
        return flow;
    }

    private void onEventLoop(Runnable task) {
        try {
            channel.eventLoop().execute(task);
        } catch (RejectedExecutionException stopped) {
            // The transport is shutting down; nothing reads the table any more, but keep it right.
            task.run();
        }
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads the listening socket on its event loop. */
    private final class ListenerHandler extends SimpleChannelInboundHandler<DatagramPacket> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            onDatagram(packet);
        }

        // A listener keeps listening: an ICMP error for one peer says nothing about the others.
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            DATAGRAMS.debug("listener {}: {}", Endpoint.describe(ctx.channel().localAddress()), cause.toString());
        }
    }

    /** Keeps the table in step with the flows, on the event loop. */
    private final class Owner implements Flow.Owner {

        @Override
        public void peerMoved(Flow flow, InetSocketAddress from, InetSocketAddress to) {
            onEventLoop(() -> {
                Object newKey = routing.flowKey(to, flow.recipient());
                table.rekey(flow.key(), newKey, flow);
                flow.rekeyed(newKey);
            });
        }

        @Override
        public void ended(Flow flow) {
            onEventLoop(() -> table.remove(flow.key(), flow));
        }
    }
}
