package io.sluice.core.tcp.cc;

/**
 * One connection's congestion window, driven by the TCP state machine's ACK, loss and timer processing. Windows are
 * in bytes; time is passed in as nanoseconds on any monotonic clock (nothing here reads a clock). One instance per
 * connection, used by one thread; no method allocates.
 *
 * <p>How the state machine drives it:
 * <ul>
 *   <li>every ACK that advances SND.UNA outside fast recovery: {@link #onAck} with {@code inRecovery = false};</li>
 *   <li>third duplicate ACK (or another loss signal): {@link #onEnterRecovery}; further duplicate ACKs while in
 *       recovery: {@link #onDuplicateAck}; a partial ACK (RFC 6582 §3.2 step 5): {@link #onAck} with
 *       {@code inRecovery = true}; the full ACK that ends recovery: {@link #onRecoveryExit} (instead of
 *       {@code onAck});</li>
 *   <li>retransmission timer expiry: {@link #onRetransmitTimeout};</li>
 *   <li>a congestion event found spurious (for example by timestamps, RFC 4015, or D-SACK):
 *       {@link #onSpuriousCongestionEvent}.</li>
 * </ul>
 * A sender using SACK-based recovery (RFC 6675) sends by {@code pipe} and {@link #ssthresh()} during recovery and
 * does not need the inflated {@link #cwnd()} of RFC 5681 §3.2.
 *
 * <p>{@code flightSize} is always the bytes sent but not yet cumulatively acknowledged when the event happened
 * (SND.NXT − SND.UNA before the ACK is applied), the FlightSize of RFC 5681 §3.1.
 */
public interface CongestionControl {

    /** {@link #onAck}'s {@code rttNanos} when the ACK gave no round-trip time sample (Karn's rule, RFC 6298 §3). */
    long NO_RTT_SAMPLE = -1;

    /**
     * The largest window, and the largest byte count an event takes into account: 2^31 bytes, the most that can be
     * outstanding while sequence numbers are compared modulo 2^32 (RFC 9293 §3.4; RFC 7323 §2.3 keeps windows
     * below 2^30). Larger inputs count as this much, so no arithmetic overflows.
     */
    long MAX_WINDOW = 1L << 31;

    /** @return the algorithm's name as configured ({@code tcp { cc-algo ... }}) */
    String name();

    /** @return the sender maximum segment size in bytes */
    int smss();

    /**
     * Changes the sender maximum segment size (path MTU change). The windows stay in bytes; they are only raised
     * to the new minimums (cwnd ≥ 1 SMSS, ssthresh ≥ 2 SMSS). A congestion event before the change can no longer be
     * undone, and CUBIC starts a new curve from the current window.
     *
     * @throws IllegalArgumentException if {@code smss} is not positive
     */
    void setSmss(int smss);

    /** @return the congestion window in bytes, from one SMSS to {@link #MAX_WINDOW} */
    long cwnd();

    /** @return the slow-start threshold in bytes; "arbitrarily high" ({@link Long#MAX_VALUE}) until a loss */
    long ssthresh();

    /** @return whether the window is in slow start (cwnd below ssthresh, RFC 5681 §3.1) */
    default boolean inSlowStart() {
        return cwnd() < ssthresh();
    }

    /**
     * A SYN or SYN-ACK of this connection was retransmitted: the initial window is one segment (RFC 5681 §3.1,
     * RFC 6928 §2). Call before any data is sent.
     */
    void onHandshakeRetransmission();

    /**
     * New data was cumulatively acknowledged.
     *
     * @param nowNanos the time the ACK was processed
     * @param bytesAcked bytes newly acknowledged (SND.UNA advance); nothing happens when not positive
     * @param rttNanos a round-trip time sample from this ACK, or {@link #NO_RTT_SAMPLE}
     * @param flightSize bytes outstanding when the ACK arrived (before SND.UNA advanced)
     * @param inRecovery whether this is a partial ACK during fast recovery (RFC 6582 §3.2 step 5); not for the
     *     ACKs after a retransmission timeout, which slow start from the loss window
     */
    void onAck(long nowNanos, long bytesAcked, long rttNanos, long flightSize, boolean inRecovery);

    /**
     * A duplicate ACK arrived. In fast recovery it inflates the window by one SMSS (RFC 5681 §3.2 step 4); before
     * recovery it changes nothing (limited transmit, RFC 3042, is the state machine's business).
     */
    void onDuplicateAck(long nowNanos, boolean inRecovery);

    /**
     * Loss detected by duplicate ACKs (or SACK / RACK): sets ssthresh by the algorithm's multiplicative decrease
     * and the window to ssthresh + 3 SMSS (RFC 5681 §3.2 steps 2 and 3).
     */
    void onEnterRecovery(long nowNanos, long flightSize);

    /**
     * The full ACK that ends fast recovery: cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS), RFC 6582 §3.2
     * step 6 option 1, where {@code flightSize} is what is still outstanding after this ACK.
     */
    void onRecoveryExit(long nowNanos, long flightSize);

    /**
     * The retransmission timer expired: ssthresh by the algorithm's decrease from FlightSize (unchanged when the
     * timer expires again before new data is acknowledged, RFC 5681 §3.1) and cwnd = the loss window, one SMSS.
     */
    void onRetransmitTimeout(long nowNanos, long flightSize);

    /**
     * The last congestion event (fast retransmit or timeout) turned out spurious: if cwnd is still below the cwnd
     * saved when it happened, restores cwnd, ssthresh and the algorithm's state saved then (RFC 9438 §4.9; the
     * same rule for NewReno, after RFC 4015 §3's response); otherwise the current state is the newer and stays.
     * Does nothing when there is nothing to undo (no event since the last undo, or the SMSS changed since).
     */
    void onSpuriousCongestionEvent(long nowNanos);
}
