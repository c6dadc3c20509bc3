package io.sluice.core.tcp.conn;

/** The eleven connection states of RFC 9293 §3.3.2. */
public enum TcpState {
    /** No connection: never opened, or finished (fictional in the RFC; here the end state of every connection). */
    CLOSED,
    /** Waiting for a SYN (passive open). */
    LISTEN,
    /** Our SYN sent, waiting for the peer's SYN (active open). */
    SYN_SENT,
    /** Both SYNs seen, waiting for the ACK of ours. */
    SYN_RECEIVED,
    /** Open: data flows both ways. */
    ESTABLISHED,
    /** We closed; our FIN is queued or sent and not acknowledged. */
    FIN_WAIT_1,
    /** Our FIN is acknowledged; waiting for the peer's FIN. */
    FIN_WAIT_2,
    /** The peer closed; we may still send. */
    CLOSE_WAIT,
    /** Both closed at once; waiting for the ACK of our FIN. */
    CLOSING,
    /** The peer closed first, then we did; waiting for the ACK of our FIN. */
    LAST_ACK,
    /** Both FINs acknowledged; waiting 2 MSL so old duplicates die out. */
    TIME_WAIT;

    /** Whether both SYNs have been seen (RFC 9293 §3.10.7.4: every state after SYN-SENT). */
    public boolean isSynchronized() {
        return ordinal() >= SYN_RECEIVED.ordinal();
    }
}
