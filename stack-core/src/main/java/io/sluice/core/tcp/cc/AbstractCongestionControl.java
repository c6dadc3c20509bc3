package io.sluice.core.tcp.cc;

/**
 * What NewReno and CUBIC share: the initial window, slow start with appropriate byte counting, fast-recovery window
 * arithmetic, the retransmission-timeout response and the undo bookkeeping. Subclasses supply the congestion
 * avoidance increase and the multiplicative decrease. (CUBIC may use Reno's slow start, RFC 9438 §4.10, and leaves
 * fast recovery to the standard loss recovery, so it only replaces those two parts.)
 */
abstract class AbstractCongestionControl implements CongestionControl {

    /** The slow-start threshold before any loss: "arbitrarily high" (RFC 5681 §3.1). */
    static final long INITIAL_SSTHRESH = Long.MAX_VALUE;
    /** RFC 6928 §2: IW = min(10 * MSS, max(2 * MSS, 14600)). */
    static final int IW_SEGMENTS = 10;
    static final int IW_BYTES_CAP = 14600;

    private int smss;
    private long cwnd;
    private long ssthresh = INITIAL_SSTHRESH;
    /** Slow start after a timeout counts at most 1 SMSS per ACK, otherwise 2 (RFC 3465 §2.2, §2.3). */
    private boolean slowStartAfterTimeout;
    /** A timeout with no new data acknowledged since: a further one keeps ssthresh (RFC 5681 §3.1). */
    private boolean timeoutUnanswered;
    private boolean undoSaved;
    private long undoCwnd;
    private long undoSsthresh;
    private final HyStart hyStart = new HyStart();

    AbstractCongestionControl(int smss) {
        this.smss = checkSmss(smss);
        this.cwnd = initialWindow(smss);
    }

    /** RFC 6928 §2 (IW10); at least 2 segments, at most 10. */
    static long initialWindow(int smss) {
        return Math.min((long) IW_SEGMENTS * smss, Math.max(2L * smss, IW_BYTES_CAP));
    }

    private static int checkSmss(int smss) {
        if (smss <= 0) {
            throw new IllegalArgumentException("SMSS must be positive, not " + smss);
        }
        return smss;
    }

    @Override
    public final int smss() {
        return smss;
    }

    @Override
    public final void setSmss(int smss) {
        this.smss = checkSmss(smss);
        cwnd = windowOf(cwnd);
        ssthresh = Math.max(ssthresh, 2L * smss);
        undoSaved = false; // state saved on the old path is no measure of the new one
        smssChanged();
    }

    @Override
    public final long cwnd() {
        return cwnd;
    }

    @Override
    public final long ssthresh() {
        return ssthresh;
    }

    @Override
    public final void onHandshakeRetransmission() {
        cwnd = smss;
    }

    /** An input byte count within [0, {@link #MAX_WINDOW}]. */
    private static long bounded(long bytes) {
        return Math.min(Math.max(bytes, 0), MAX_WINDOW);
    }

    /** A window within [1 SMSS, {@link #MAX_WINDOW}]. */
    private long windowOf(long bytes) {
        return Math.min(Math.max(bytes, smss), MAX_WINDOW);
    }

    @Override
    public final void onAck(long nowNanos, long bytesAcked, long rttNanos, long flightSize, boolean inRecovery) {
        long acked = bounded(bytesAcked);
        if (acked == 0) {
            return;
        }
        observeAck(nowNanos, rttNanos);
        timeoutUnanswered = false;
        if (inRecovery) {
            // RFC 6582 §3.2 step 5: deflate by the new data acknowledged, add one SMSS back when at least one SMSS
            // was acknowledged, so about ssthresh bytes stay in flight when recovery ends.
            cwnd = windowOf(cwnd - acked + (acked >= smss ? smss : 0));
            return;
        }
        if (!cwndLimited(bounded(flightSize))) {
            applicationLimited(nowNanos);
            return;
        }
        long left = acked;
        if (cwnd < ssthresh && ssthresh == INITIAL_SSTHRESH && !hyStart.finished()) {
            // The first slow start, watched by HyStart++ (RFC 9406): a growing RTT slows it, then ends it.
            switch (hyStart.onAck(acked, rttNanos, cwnd)) {
                case EXIT -> ssthresh = cwnd;
                case CONSERVATIVE -> {
                    cwnd = windowOf(cwnd + Math.min(left, 2L * smss) / HyStart.CSS_GROWTH_DIVISOR);
                    return;
                }
                default -> { }
            }
        }
        if (cwnd < ssthresh) {
            // RFC 3465 §2.2: grow by the bytes acknowledged, at most L * SMSS per ACK (L = 2, or 1 after an RTO);
            // stop at ssthresh and let the rest count towards congestion avoidance.
            long limit = (slowStartAfterTimeout ? 1L : 2L) * smss;
            long grow = Math.min(Math.min(left, limit), ssthresh - cwnd);
            cwnd = windowOf(cwnd + grow);
            left -= grow;
            if (cwnd < ssthresh || grow == limit) {
                return;
            }
        }
        slowStartAfterTimeout = false;
        if (left > 0) {
            cwnd = windowOf(congestionAvoidance(nowNanos, left, cwnd));
        }
    }

    /**
     * RFC 7661 §4.3: the window is not validated, and so does not grow, while less than half of it is in use; a
     * sender limited by its application must not build up a window it never tested.
     */
    final boolean cwndLimited(long flightSize) {
        return flightSize >= cwnd / 2;
    }

    @Override
    public final void onDuplicateAck(long nowNanos, boolean inRecovery) {
        if (inRecovery) {
            // RFC 5681 §3.2 step 4: each duplicate ACK means a segment left the network
            cwnd = windowOf(cwnd + smss);
        }
    }

    @Override
    public final void onEnterRecovery(long nowNanos, long flightSize) {
        hyStart.finish();
        saveForUndo();
        ssthresh = Math.max(decreasedSsthresh(nowNanos, bounded(flightSize), cwnd), 2L * smss);
        // RFC 5681 §3.2 step 3: the three segments that left the network with the duplicate ACKs
        cwnd = windowOf(ssthresh + 3L * smss);
        slowStartAfterTimeout = false;
    }

    @Override
    public final void onRecoveryExit(long nowNanos, long flightSize) {
        cwnd = windowOf(Math.min(ssthresh, Math.max(bounded(flightSize), smss) + smss));
    }

    @Override
    public final void onRetransmitTimeout(long nowNanos, long flightSize) {
        hyStart.finish();
        if (!timeoutUnanswered) {
            saveForUndo();
            ssthresh = Math.max(decreasedSsthresh(nowNanos, bounded(flightSize), cwnd), 2L * smss);
            timeoutUnanswered = true;
        }
        timedOut(nowNanos);
        cwnd = smss; // RFC 5681 §3.1: the loss window is one segment
        slowStartAfterTimeout = true;
    }

    @Override
    public final void onSpuriousCongestionEvent(long nowNanos) {
        if (!undoSaved) {
            return;
        }
        undoSaved = false;
        if (cwnd >= undoCwnd) {
            return; // found long after the event: the window has recovered, its current state is the newer
        }
        cwnd = undoCwnd;
        ssthresh = undoSsthresh;
        slowStartAfterTimeout = false;
        timeoutUnanswered = false;
        restoreSaved();
    }

    private void saveForUndo() {
        undoSaved = true;
        undoCwnd = cwnd;
        undoSsthresh = ssthresh;
        saveState();
    }

    /** Every ACK of new data, before anything else, with its RTT sample (maybe {@link #NO_RTT_SAMPLE}). */
    abstract void observeAck(long nowNanos, long rttNanos);

    /**
     * Congestion avoidance for {@code bytesAcked} new bytes.
     *
     * @return the new congestion window in bytes
     */
    abstract long congestionAvoidance(long nowNanos, long bytesAcked, long cwnd);

    /** An ACK that did not grow the window because it was not in use. */
    abstract void applicationLimited(long nowNanos);

    /**
     * The multiplicative decrease on a congestion event (loss or first timeout).
     *
     * @param cwnd the window when the event happened
     * @return the new ssthresh in bytes (raised to 2 SMSS by the caller)
     */
    abstract long decreasedSsthresh(long nowNanos, long flightSize, long cwnd);

    /** A retransmission timeout, after any ssthresh change and before cwnd becomes the loss window. */
    abstract void timedOut(long nowNanos);

    /** The SMSS changed (state kept in segments needs a new start). */
    abstract void smssChanged();

    /** Saves the subclass's state a spurious congestion event would restore. */
    abstract void saveState();

    /** Restores what {@link #saveState} saved. */
    abstract void restoreSaved();
}
