package dev.ice.tunnel.proxy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.ice.tunnel.ConnectionOutcome;
import dev.ice.tunnel.Endpoint;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * Reads the PROXY protocol header (v1 or v2) in front of an accepted stream, reports what it found once, and then
 * leaves the pipeline, handing the rest of the stream on unchanged.
 *
 * <ul>
 *   <li>A header is believed only from a trusted source; from any other it is refused as untrusted.</li>
 *   <li>With mode {@code require}, a stream that does not open with a header is refused as missing; with
 *       {@code accept}, it is passed on as it is.</li>
 *   <li>A malformed header, one cut short by the peer, or one over {@link #MAX_HEADER_BYTES} is refused as
 *       invalid; a peer that sends nothing within the header timeout is dropped.</li>
 *   <li>A peer that closes or resets before sending a byte is a probe, as load balancers' health checks are.</li>
 * </ul>
 *
 * <p>The header itself is parsed by Netty's {@link HAProxyMessageDecoder}, run in a private {@link EmbeddedChannel}
 * as Netty's own content decoders run theirs: the decoder closes its channel on a bad header, and that must not
 * close the real connection before ICE has recorded why.
 */
public final class ProxyHeaderReader extends ChannelInboundHandlerAdapter {

    /**
     * The TLV bytes a v2 header may carry beyond the largest address block (216 bytes, section 2.2). ICE reads no
     * TLV; haproxy sends none unless told to, and cloud load balancers send a few dozen bytes.
     */
    public static final int MAX_TLV_BYTES = 2048;

    /** The longest v2 header accepted: 16 fixed bytes, room for the largest address block, and the TLVs. */
    public static final int MAX_HEADER_BYTES = 16 + 216 + MAX_TLV_BYTES;

    private static final byte TLS_HANDSHAKE_RECORD = 0x16;

    private final ProxyProtocol config;
    private final Consumer<ProxyHeaderResult> onResult;

    private ByteBuf start;
    private EmbeddedChannel decoder;
    private ScheduledFuture<?> timer;
    private long bytesSeen;
    private boolean decided;
    private boolean refused;

    /**
     * @param config the mode, trusted sources and header timeout
     * @param onResult told once, on the channel's event loop, before any byte after the header is passed on
     */
    public ProxyHeaderReader(ProxyProtocol config, Consumer<ProxyHeaderResult> onResult) {
        this.config = config;
        this.onResult = onResult;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            startTimer(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        startTimer(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            // Nothing a refused peer sends may reach TLS or the service.
            ReferenceCountUtil.release(msg);
            return;
        }
        if (decided || !(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        bytesSeen += in.readableBytes();
        if (decoder != null) {
            decode(ctx, in);
        } else {
            detect(ctx, in);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!decided && evt == ChannelInputShutdownEvent.INSTANCE) {
            refuse(ctx, endedEarly("closed"));
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!decided && cause instanceof IOException) {
            refuse(ctx, bytesSeen == 0 ? endedEarly("reset")
                : new ProxyHeaderResult.Refused(ConnectionOutcome.PEER_RESET, "reset inside the PROXY header"));
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!decided) {
            decide();
            onResult.accept(endedEarly("closed"));
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimer();
        if (start != null) {
            start.release();
            start = null;
        }
        if (decoder != null) {
            decoder.finishAndReleaseAll();
            decoder = null;
        }
    }

    private void startTimer(ChannelHandlerContext ctx) {
        if (timer == null && !decided) {
            long millis = config.headerTimeout().toMillis();
            timer = ctx.executor().schedule(() -> timedOut(ctx, millis), millis, TimeUnit.MILLISECONDS);
        }
    }

    private void timedOut(ChannelHandlerContext ctx, long millis) {
        if (!decided) {
            refuse(ctx, new ProxyHeaderResult.Refused(ConnectionOutcome.HANDSHAKE_TIMEOUT,
                "no complete PROXY header within " + millis + " ms (" + bytesSeen + " bytes came)"));
        }
    }

    // Gathers bytes until they show whether a signature opens the stream: one byte for a TLS client.
    private void detect(ChannelHandlerContext ctx, ByteBuf in) {
        if (start == null) {
            start = ctx.alloc().buffer(in.readableBytes());
        }
        start.writeBytes(in);
        in.release();
        switch (ProxySignature.of(start)) {
            case NONE -> noHeader(ctx);
            case INCOMPLETE -> { }
            case HEADER -> headerBegins(ctx);
        }
    }

    private void noHeader(ChannelHandlerContext ctx) {
        if (config.mode() == ProxyProtocolMode.REQUIRE) {
            byte first = start.getByte(start.readerIndex());
            String opens = first == TLS_HANDSHAKE_RECORD ? "a TLS handshake record, so the client came straight "
                + "to ICE and not through the load balancer" : String.format("byte 0x%02x", first);
            refuse(ctx, new ProxyHeaderResult.Refused(ConnectionOutcome.PROXY_HEADER_MISSING, "the stream opens "
                + "with " + opens + "; this listener requires a PROXY header from " + config.trusted()));
            return;
        }
        ByteBuf stream = start;
        start = null;
        pass(ctx, new ProxyHeaderResult.Direct("no PROXY header"), stream);
    }

    private void headerBegins(ChannelHandlerContext ctx) {
        if (!config.trusted().contains(ctx.channel().remoteAddress())) {
            refuse(ctx, new ProxyHeaderResult.Refused(ConnectionOutcome.PROXY_HEADER_UNTRUSTED,
                Endpoint.describe(ctx.channel().remoteAddress()) + " is not among the trusted sources "
                + config.trusted()));
            return;
        }
        decoder = new EmbeddedChannel(new HAProxyMessageDecoder(MAX_TLV_BYTES));
        ByteBuf header = start;
        start = null;
        decode(ctx, header);
    }

    // Feeds Netty's decoder; until the header is whole it holds the bytes, and the timer bounds the wait.
    private void decode(ChannelHandlerContext ctx, ByteBuf in) {
        HAProxyMessage header;
        try {
            decoder.writeInbound(in);
            header = decoder.readInbound();
        } catch (HAProxyProtocolException e) {
            refuse(ctx, new ProxyHeaderResult.Refused(ConnectionOutcome.PROXY_HEADER_INVALID, e.getMessage()));
            return;
        }
        if (header == null) {
            return;
        }
        ProxyHeaderResult result;
        try {
            result = resultOf(header);
        } finally {
            header.release();
        }
        if (result instanceof ProxyHeaderResult.Refused why) {
            refuse(ctx, why);
        } else {
            pass(ctx, result, decoder.readInbound());
        }
    }

    // PROXY protocol sections 2.1 and 2.2: a LOCAL command (the proxy's own health check) and the UNKNOWN family
    // name no client, and the connection's own addresses stand.
    // Limitation: TLVs are skipped, not read, because nothing in ICE uses them yet.
    private static ProxyHeaderResult resultOf(HAProxyMessage header) {
        HAProxyProxiedProtocol family = header.proxiedProtocol();
        if (header.command() == HAProxyCommand.LOCAL || family == HAProxyProxiedProtocol.UNKNOWN) {
            return new ProxyHeaderResult.Direct("PROXY header " + header.command() + " " + family + " names no "
                + "client");
        }
        if (family != HAProxyProxiedProtocol.TCP4 && family != HAProxyProxiedProtocol.TCP6) {
            return new ProxyHeaderResult.Refused(ConnectionOutcome.PROXY_HEADER_INVALID, "the header names a "
                + family + " client; ICE relays TCP over IPv4 or IPv6 only");
        }
        return new ProxyHeaderResult.Proxied(address(header.sourceAddress(), header.sourcePort()),
            address(header.destinationAddress(), header.destinationPort()));
    }

    // Netty has checked that these are address literals of the header's family, so nothing is looked up.
    private static InetSocketAddress address(String literal, int port) {
        return new InetSocketAddress(InetAddress.ofLiteral(literal), port);
    }

    private ProxyHeaderResult.Refused endedEarly(String how) {
        if (bytesSeen == 0) {
            return new ProxyHeaderResult.Refused(ConnectionOutcome.PROBE, how + " without sending a byte");
        }
        return new ProxyHeaderResult.Refused(ConnectionOutcome.PROXY_HEADER_INVALID, "the peer " + how
            + " after " + bytesSeen + " bytes, inside the PROXY header");
    }

    private void pass(ChannelHandlerContext ctx, ProxyHeaderResult result, ByteBuf rest) {
        decide();
        onResult.accept(result);
        ctx.pipeline().remove(this);
        if (rest != null && rest.isReadable()) {
            ctx.fireChannelRead(rest);
        } else if (rest != null) {
            rest.release();
        }
    }

    private void refuse(ChannelHandlerContext ctx, ProxyHeaderResult.Refused why) {
        decide();
        refused = true;
        onResult.accept(why);
        ctx.close();
    }

    private void decide() {
        decided = true;
        cancelTimer();
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
