package dev.ice.tunnel.udp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import dev.ice.tunnel.ConnectionOutcome;
import dev.ice.tunnel.Endpoint;
import dev.ice.tunnel.tls.DtlsHandshakeException;
import dev.ice.tunnel.tls.DtlsSession;
import dev.ice.tunnel.tls.TlsFailureException;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;

/**
 * One UDP flow: the datagrams between one peer and the target, carried in one DTLS session.
 *
 * <p>A flow has two sides. The <em>peer</em> side is the listener's socket, where the peer that opened the flow sends
 * and hears back. The <em>target</em> side is a connected socket of the flow's own, so that the target's replies
 * map back to it. In a client tunnel plaintext comes from the peer and ciphertext goes to the target (the DTLS
 * server); in a server tunnel it is the other way round.
 *
 * <p>The event loop hands each datagram to the flow's {@link FlowInbox}; one virtual thread, the worker, runs
 * BouncyCastle's blocking DTLS: first the handshake, then a loop that seals waiting plaintext and opens ciphertext,
 * until the flow has been idle for the idle timeout, the peer closes, or the tunnel stops. The worker is the only
 * thread that touches the DTLS session.
 */
final class Flow implements Runnable {

    /** How a flow's DTLS session is set up: as a client, or as a server for a verified hello. */
    interface Handshake {
        /** @return the established session */
        DtlsSession run(Flow flow, FlowTransport transport) throws DtlsHandshakeException;
    }

    /** Told when a flow's peer has moved to another address, and when the flow has ended. */
    interface Owner {
        void peerMoved(Flow flow, InetSocketAddress from, InetSocketAddress to);

        void ended(Flow flow);
    }

    private final FlowRecord record;
    private final FlowSettings settings;
    private final InetSocketAddress recipient;
    private final InetSocketAddress destination;
    private final boolean client;
    private final Handshake handshake;
    private final Owner owner;
    private final Outlet toPeer;
    private final FlowInbox inbox = new FlowInbox();

    private volatile Object key;
    private volatile InetSocketAddress peer;
    private volatile boolean established;
    private ChannelFuture targetSocket;
    private Outlet toTarget;
    private InetSocketAddress lastSender;
    private long lastActivityNanos = System.nanoTime();

    /**
     * @param key the flow's key among the listener's flows
     * @param peer the address of the peer that opened the flow
     * @param recipient where the peer sent its first datagram
     * @param destination the target
     * @param replySource the socket that sends to the peer
     */
    Flow(FlowRecord record, FlowSettings settings, Object key, InetSocketAddress peer, InetSocketAddress recipient,
            InetSocketAddress destination, Handshake handshake, Owner owner, Channel replySource) {
        this.record = record;
        this.settings = settings;
        this.key = key;
        this.peer = peer;
        this.recipient = recipient;
        this.destination = destination;
        this.client = settings.client();
        this.handshake = handshake;
        this.owner = owner;
        this.toPeer = Outlet.addressed(replySource, () -> this.peer);
    }

    /**
     * Opens the flow's own socket to the target and starts the worker on a virtual thread of its own; on the event
     * loop.
     *
     * @param targetSockets makes connected datagram sockets on the listener's event loop
     */
    void start(Bootstrap targetSockets) {
        targetSocket = targetSockets.clone().handler(new TargetSocketHandler(this)).connect(destination);
        Thread worker = Thread.ofVirtual().name("ice-flow-" + record.id()).unstarted(this);
        inbox.consumedBy(worker);
        worker.start();
    }

    String id() {
        return record.id();
    }

    Object key() {
        return key;
    }

    /** Files the flow under a new key after its peer moved; on the event loop. */
    void rekeyed(Object newKey) {
        key = newKey;
    }

    InetSocketAddress recipient() {
        return recipient;
    }

    InetSocketAddress peer() {
        return peer;
    }

    /** @return whether the handshake has finished, after which a new hello from the peer means a new session */
    boolean isEstablished() {
        return established;
    }

    /** @return whether the flow is ending, so that a new datagram from its peer must open a new flow */
    boolean isEnding() {
        return inbox.isClosing();
    }

    /** Takes a datagram the peer sent to the listener; on the event loop. */
    void fromPeer(Datagram datagram) {
        accept(datagram, !client);
    }

    /** Takes a datagram that arrived on the flow's own socket; on the event loop. */
    void fromTarget(Datagram datagram) {
        accept(datagram, client);
    }

    /** Wakes the worker if it waits past its deadline; from the tunnel's sweep. */
    void wakeIfDue(long nowNanos) {
        inbox.wakeIfDue(nowNanos);
    }

    /** Ends the flow for a reason of this side's: the tunnel stops, or the target is unreachable. */
    void stop(ConnectionOutcome reason, String detail) {
        record.fail(reason, detail);
        inbox.close();
    }

    @Override
    public void run() {
        try {
            awaitTargetSocket();
            DtlsSession session = handshake.run(this, new FlowTransport(this, settings.sendLimit()));
            established = true;
            record.opened(session.protocol(), session.cipherSuite());
            relay(session);
        } catch (DtlsHandshakeException e) {
            record.fail(e.outcome(), e.getMessage());
        } catch (FlowInterrupt closing) {
            record.fail(ConnectionOutcome.CLOSED, "");
        } catch (TlsFailureException e) {
            record.fail(e.outcome(), e.getMessage());
        } catch (IOException e) {
            record.fail(ConnectionOutcome.TLS_ERROR, e.getMessage());
        } catch (RuntimeException e) {
            record.fail(ConnectionOutcome.INTERNAL_ERROR, e.toString());
        } finally {
            end();
        }
    }

    /** BouncyCastle's receive: the next ciphertext datagram, copied into its buffer. */
    int receiveCiphertext(byte[] buffer, int offset, int length, int waitMillis) throws IOException {
        Datagram next = inbox.awaitCiphertext(waitMillis);
        byte[] bytes = next.bytes();
        if (bytes.length > length) {
            drop(ConnectionOutcome.DATAGRAM_TOO_LARGE, bytes.length, "a DTLS datagram larger than a record");
            return -1;
        }
        System.arraycopy(bytes, 0, buffer, offset, bytes.length);
        lastSender = next.sender();
        return bytes.length;
    }

    /** BouncyCastle's send: one ciphertext datagram out. */
    void sendCiphertext(byte[] buffer, int offset, int length) {
        Outlet out = client ? toTarget : toPeer;
        sent(out.send(buffer, offset, length), length);
    }

    /** BouncyCastle closed the transport: after close_notify (either way) or a fatal alert. */
    void transportClosed() {
        inbox.close();
    }

    private void accept(Datagram datagram, boolean ciphertext) {
        if (ciphertext) {
            queue(inbox.offerCiphertext(datagram), datagram);
        } else if (datagram.bytes().length > settings.maxPayload()) {
            drop(ConnectionOutcome.DATAGRAM_TOO_LARGE, datagram.bytes().length, settings.tooLargeAdvice());
        } else {
            queue(inbox.offerPlaintext(datagram), datagram);
        }
    }

    private void queue(boolean queued, Datagram datagram) {
        if (!queued) {
            drop(ConnectionOutcome.FLOW_BACKLOG_FULL, datagram.bytes().length, "its worker is " + FlowInbox.CAPACITY
                + " datagrams behind");
        }
    }

    private void drop(ConnectionOutcome reason, int bytes, String why) {
        record.countDrop(reason);
        settings.drops().dropped(reason, bytes, record.id() + " dropped a " + bytes + "-byte datagram: " + why);
    }

    private void awaitTargetSocket() throws IOException {
        if (!targetSocket.awaitUninterruptibly(settings.connectTimeoutMillis()) || !targetSocket.isSuccess()) {
            String why = targetSocket.cause() == null ? "timed out" : targetSocket.cause().getMessage();
            stop(ConnectionOutcome.UPSTREAM_UNREACHABLE, Endpoint.describe(destination) + ": " + why);
            throw FlowInterrupt.CLOSING;
        }
        toTarget = Outlet.connected(targetSocket.channel());
    }

    private void relay(DtlsSession session) throws IOException {
        byte[] buffer = new byte[session.receiveLimit()];
        inbox.established();
        try {
            while (true) {
                sealWaitingPlaintext(session);
                int waitMillis = idleWaitMillis();
                if (waitMillis <= 0) {
                    record.fail(ConnectionOutcome.IDLE_TIMEOUT, "");
                    inbox.close();
                    return;
                }
                int length = receiveOne(session, buffer, waitMillis);
                if (length >= 0) {
                    deliver(buffer, length);
                }
            }
        } finally {
            session.close();
        }
    }

    private void sealWaitingPlaintext(DtlsSession session) throws IOException {
        for (Datagram next = inbox.pollPlaintext(); next != null; next = inbox.pollPlaintext()) {
            byte[] bytes = next.bytes();
            session.send(bytes, 0, bytes.length);
            count(client, bytes.length);
        }
    }

    private int receiveOne(DtlsSession session, byte[] buffer, int waitMillis) throws IOException {
        try {
            return session.receive(buffer, waitMillis, this::peerMoveConfirmed);
        } catch (FlowInterrupt interrupt) {
            if (interrupt == FlowInterrupt.CLOSING) {
                throw interrupt;
            }
            return -1;
        }
    }

    private void deliver(byte[] buffer, int length) {
        Outlet out = client ? toPeer : toTarget;
        if (sent(out.send(buffer, 0, length), length)) {
            count(!client, length);
        }
    }

    // A closed socket means the flow or the tunnel is ending: nothing to count, the close line says why.
    private boolean sent(Outlet.Sent sent, int length) {
        if (sent == Outlet.Sent.BACKLOG_FULL) {
            drop(ConnectionOutcome.FLOW_BACKLOG_FULL, length, "its socket's send buffer is full");
        }
        return sent == Outlet.Sent.SENT;
    }

    private void count(boolean up, int bytes) {
        if (up) {
            record.countUp(bytes);
        } else {
            record.countDown(bytes);
        }
        lastActivityNanos = System.nanoTime();
    }

    private int idleWaitMillis() {
        long idleNanos = System.nanoTime() - lastActivityNanos;
        long leftMillis = settings.idleTimeoutMillis() - TimeUnit.NANOSECONDS.toMillis(idleNanos);
        return (int) Math.max(0, leftMillis);
    }

    // RFC 9146 §6: only a record that authenticated under our connection ID and is the newest yet seen may move
    // the peer, so a replayed or forged datagram from elsewhere cannot redirect the flow.
    private void peerMoveConfirmed() {
        InetSocketAddress from = lastSender;
        InetSocketAddress was = peer;
        if (from != null && !from.equals(was)) {
            peer = from;
            record.peerMoved(Endpoint.describe(from));
            owner.peerMoved(this, was, from);
        }
    }

    private void end() {
        inbox.close();
        targetSocket.channel().close();
        owner.ended(this);
        record.closed();
    }
}
