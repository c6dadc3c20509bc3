package io.sluice.core.tcp.layer;

import io.sluice.core.tcp.conn.TcpConnection;
import java.util.function.ToLongFunction;

/**
 * The stack's TCP counters ({@code show tcp stats}): events the workers count themselves, and per-connection
 * counters, which the stack's total adds up over live connections and those that have closed.
 */
public enum TcpCounter {
    ACTIVE_OPENS("active-opens", "connections we opened (SYN sent)"),
    PASSIVE_OPENS("passive-opens", "connections opened by a peer's SYN to a listener"),
    ESTABLISHED("established", "connections that completed the handshake"),
    FAILED_OPENS("failed-opens", "connections closed before their handshake completed"),
    RESETS_RECEIVED("resets-received", "connections reset by the peer"),
    TIMED_OUT("timed-out", "connections given up after their retransmissions ran out"),
    ABORTED("aborted", "connections aborted by the local user"),
    SEGMENTS_RECEIVED("segments-received", "segments that reached a connection or listener"),
    SEGMENTS_SENT("segments-sent", "segments sent"),
    RESETS_SENT("resets-sent", "resets sent for segments no connection wants"),
    SYN_QUEUE_OVERFLOWS("syn-queue-overflows", "SYNs dropped: the listener's SYN queue was full"),
    LISTEN_OVERFLOWS("listen-overflows", "handshake ACKs dropped: the listener's accept queue was full"),
    TIME_WAIT_REUSED("time-wait-reused", "connections in TIME-WAIT replaced by a new SYN for their ports (RFC 6191)"),
    COOKIES_SENT("cookies-sent", "SYN-ACKs sent with a SYN cookie (the listener's SYN queue was full)"),
    COOKIES_VALIDATED("cookies-validated", "connections made from an ACK carrying a valid SYN cookie"),
    COOKIES_REJECTED("cookies-rejected", "ACKs to a listener whose cookie did not check (answered with a reset)"),
    NO_BUFFER("no-buffer", "segments not sent for want of a packet buffer (retransmitted later)"),
    RETRANSMITTED_SEGMENTS("retransmitted-segments", "segments sent again", TcpConnection::retransmittedSegments),
    RETRANSMISSION_TIMEOUTS("retransmission-timeouts", "retransmission timer expiries", TcpConnection::timeouts),
    FAST_RETRANSMITS("fast-retransmits", "fast retransmissions (duplicate ACKs or partial ACKs)",
            TcpConnection::fastRetransmits),
    DUPLICATE_ACKS("duplicate-acks", "duplicate ACKs received", TcpConnection::duplicateAcks),
    OUT_OF_ORDER_SEGMENTS("out-of-order-segments", "segments received beyond a hole",
            TcpConnection::outOfOrderSegments),
    OUT_OF_ORDER_BYTES("out-of-order-bytes", "payload bytes received beyond a hole (kept in place)",
            TcpConnection::outOfOrderBytes),
    OUT_OF_WINDOW_SEGMENTS("out-of-window-segments", "segments outside the receive window",
            TcpConnection::outOfWindowSegments),
    CHALLENGE_ACKS("challenge-acks", "challenge ACKs sent (RFC 5961)", TcpConnection::challengeAcks),
    CHALLENGE_ACKS_SUPPRESSED("challenge-acks-suppressed", "challenge ACKs not sent: rate limit (RFC 5961 §7)",
            TcpConnection::challengeAcksSuppressed),
    SACK_RECOVERIES("sack-recoveries", "loss recoveries driven by SACK (RFC 6675)", TcpConnection::sackRecoveries),
    RACK_LOSSES("rack-losses", "segments RACK marked lost (RFC 8985)", TcpConnection::rackLosses),
    TAIL_LOSS_PROBES("tail-loss-probes", "tail loss probes sent (RFC 8985 §7)", TcpConnection::tailLossProbes),
    SPURIOUS_RETRANSMISSIONS("spurious-retransmissions", "retransmissions a D-SACK showed were not needed",
            TcpConnection::spuriousRetransmissions),
    CONGESTION_UNDOS("congestion-undos", "window reductions undone after spurious retransmissions",
            TcpConnection::congestionUndos),
    KEEPALIVE_PROBES("keepalive-probes", "keep-alive probes sent", TcpConnection::keepaliveProbes),
    PAWS_REJECTED("paws-rejected", "segments rejected by PAWS (RFC 7323)", TcpConnection::pawsRejected),
    ZERO_WINDOW_PROBES("zero-window-probes", "zero-window probes sent", TcpConnection::zeroWindowProbes);

    /** All counters, in order (one array, not one per call to values()). */
    static final TcpCounter[] ALL = values();

    private final String counterName;
    private final String description;
    private final ToLongFunction<TcpConnection> perConnection;

    TcpCounter(String counterName, String description) {
        this(counterName, description, null);
    }

    TcpCounter(String counterName, String description, ToLongFunction<TcpConnection> perConnection) {
        this.counterName = counterName;
        this.description = description;
        this.perConnection = perConnection;
    }

    /** The name shown by the CLI. */
    public String counterName() {
        return counterName;
    }

    public String description() {
        return description;
    }

    /** Whether each connection counts it (summed over connections) rather than the worker. */
    boolean isPerConnection() {
        return perConnection != null;
    }

    long of(TcpConnection connection) {
        return perConnection.applyAsLong(connection);
    }
}
