package dev.ice.tunnel;

import org.slf4j.event.Level;

/**
 * How a tunnelled connection or UDP flow ended, or why a datagram was refused: ICE's one catalogue of outcomes,
 * used in logs now and in metrics later.
 *
 * <p>Each outcome carries the level its close line is logged at: peers' misbehaviour at INFO or DEBUG, faults on
 * this side (a refused key, an unreachable backend) at WARN.
 */
public enum ConnectionOutcome {
    /** Both sides finished and closed cleanly. */
    CLOSED(Level.INFO, "closed"),
    /** The TLS handshake did not finish within the handshake timeout. */
    HANDSHAKE_TIMEOUT(Level.INFO, "handshake timeout"),
    /** A client proved a different key for our identity (server side). */
    BAD_KEY(Level.INFO, "wrong key"),
    /** A client offered only identities this server does not know (server side). */
    UNKNOWN_IDENTITY(Level.INFO, "unknown identity"),
    /** The server refused our identity or key (client side): the two ends are not configured alike. */
    KEY_REJECTED_BY_PEER(Level.WARN, "key rejected by peer"),
    /** The first bytes opened neither a TLS handshake record nor an alert record. */
    NOT_TLS(Level.INFO, "not TLS"),
    /** A PROXY protocol header was required in front of the stream and none came (server side). */
    PROXY_HEADER_MISSING(Level.INFO, "PROXY header missing"),
    /** A PROXY protocol header came from a source that is not trusted to name clients (server side). */
    PROXY_HEADER_UNTRUSTED(Level.INFO, "PROXY header from an untrusted source"),
    /** A PROXY protocol header was malformed, cut short or over the size limit (server side). */
    PROXY_HEADER_INVALID(Level.INFO, "invalid PROXY header"),
    /** (fernet) The first bytes did not open a fernet stream, or a frame before the handshake was malformed. */
    NOT_FERNET(Level.INFO, "not fernet"),
    /** The peer uses the other crypto strategy (TLS against fernet, or fernet against TLS): configure both alike. */
    OTHER_STRATEGY(Level.WARN, "other crypto strategy"),
    /** The handshake failed for another TLS reason; the log names the alert. */
    TLS_ERROR(Level.INFO, "TLS error"),
    /** The peer closed the connection in the middle of the handshake. */
    HANDSHAKE_ABORTED(Level.INFO, "handshake aborted"),
    /** The peer connected and closed without sending a byte, as health checks do. */
    PROBE(Level.DEBUG, "probe"),
    /** One side reset its connection; the reset was passed on to the other. */
    PEER_RESET(Level.INFO, "peer reset"),
    /**
     * A fernet token failed its check after the handshake: it did not verify (tampered or reflected), or arrived
     * out of order, twice, or after the end of the stream. Nothing from it reached the other side.
     */
    TOKEN_REJECTED(Level.INFO, "token rejected"),
    /**
     * The peer closed TCP without close_notify (TLS) or an END token (fernet), so the data may be cut short; the
     * other side gets a reset.
     */
    TRUNCATED(Level.INFO, "truncated"),
    /** A sidecar listener got a connection that no interception rule sent it, or for a port with no role. */
    NOT_INTERCEPTED(Level.INFO, "not intercepted"),
    /** The forward or connect target refused or could not be reached. */
    UPSTREAM_UNREACHABLE(Level.WARN, "upstream unreachable"),
    /** No data moved either way for the idle timeout. */
    IDLE_TIMEOUT(Level.INFO, "idle timeout"),
    /** A datagram was larger than the path MTU can carry once encrypted; it was dropped and counted. */
    DATAGRAM_TOO_LARGE(Level.INFO, "datagram too large"),
    /** A new UDP flow was refused because the tunnel already holds its maximum number of flows. */
    FLOW_LIMIT(Level.WARN, "flow limit reached"),
    /** Datagrams came faster than a flow could encrypt or decrypt them; the excess was dropped and counted. */
    FLOW_BACKLOG_FULL(Level.INFO, "flow backlog full"),
    /** The tunnel was stopped while the connection was open. */
    SHUTDOWN(Level.INFO, "shutdown"),
    /** An unexpected error on this side. */
    INTERNAL_ERROR(Level.WARN, "internal error");

    private final Level level;
    private final String description;

    ConnectionOutcome(Level level, String description) {
        this.level = level;
        this.description = description;
    }

    /** @return the level a connection with this outcome is logged at */
    public Level level() {
        return level;
    }

    /** @return a short phrase for logs */
    public String description() {
        return description;
    }
}
