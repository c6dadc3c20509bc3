package io.sluice.core.tcp.cc;

/**
 * HyStart++ (RFC 9406): leaves the first slow start before it overshoots, by watching the round-trip time. Each
 * round it keeps the lowest RTT sample; once a round's minimum (after at least {@value #N_RTT_SAMPLE} samples)
 * exceeds the previous round's by a threshold (an eighth of it, clamped to 4..16 ms), a queue is building: slow
 * start turns into Conservative Slow Start, growing a quarter as fast, for {@value #CSS_ROUNDS} rounds, after which
 * the window so reached becomes ssthresh and congestion avoidance takes over. If the RTT falls back below the value
 * that started CSS, it was a spurious signal and slow start resumes (§4.2).
 *
 * <p>Rounds are counted in bytes acknowledged: a round ends once as many bytes as the window held when it began
 * have been acknowledged — the congestion controller sees bytes, not sequence numbers, and in slow start the two
 * measures end a round on the same ACK. Used only in the first slow start (after a timeout the slow start is the
 * standard one, as §4.3 allows). Pure and allocation-free; time comes in as nanoseconds.
 */
final class HyStart {

    static final long MIN_RTT_THRESH_NANOS = 4_000_000L;
    static final long MAX_RTT_THRESH_NANOS = 16_000_000L;
    static final int MIN_RTT_DIVISOR = 8;
    static final int N_RTT_SAMPLE = 8;
    static final int CSS_GROWTH_DIVISOR = 4;
    static final int CSS_ROUNDS = 5;
    private static final long NONE = Long.MAX_VALUE;

    private long roundBytesLeft;
    private long lastRoundMinRtt = NONE;
    private long currentRoundMinRtt = NONE;
    private int rttSamples;
    private boolean inCss;
    private long cssBaselineMinRtt = NONE;
    private int cssRounds;
    private boolean done;

    /** What slow start should do with an ACK. */
    enum Verdict { SLOW_START, CONSERVATIVE, EXIT }

    /**
     * Takes one ACK of {@code acked} new bytes during the first slow start.
     *
     * @param rttNanos the ACK's RTT sample, or {@link CongestionControl#NO_RTT_SAMPLE}
     * @param cwnd the window before this ACK grows it
     */
    Verdict onAck(long acked, long rttNanos, long cwnd) {
        if (done) {
            return Verdict.EXIT;
        }
        roundBytesLeft -= acked;
        if (roundBytesLeft <= 0) {
            startRound(cwnd);
            if (inCss && ++cssRounds >= CSS_ROUNDS) {
                done = true;
                return Verdict.EXIT;
            }
        }
        if (rttNanos >= 0) {
            currentRoundMinRtt = Math.min(currentRoundMinRtt, rttNanos);
            rttSamples++;
        }
        if (rttSamples >= N_RTT_SAMPLE && currentRoundMinRtt != NONE) {
            if (!inCss && lastRoundMinRtt != NONE) {
                long threshold = Math.clamp(lastRoundMinRtt / MIN_RTT_DIVISOR, MIN_RTT_THRESH_NANOS,
                        MAX_RTT_THRESH_NANOS);
                if (currentRoundMinRtt >= lastRoundMinRtt + threshold) {
                    inCss = true;
                    cssBaselineMinRtt = currentRoundMinRtt;
                    cssRounds = 0;
                }
            } else if (inCss && currentRoundMinRtt < cssBaselineMinRtt) {
                inCss = false; // the delay increase was spurious: back to slow start
                cssBaselineMinRtt = NONE;
            }
        }
        return inCss ? Verdict.CONSERVATIVE : Verdict.SLOW_START;
    }

    private void startRound(long cwnd) {
        roundBytesLeft = cwnd;
        lastRoundMinRtt = currentRoundMinRtt;
        currentRoundMinRtt = NONE;
        rttSamples = 0;
    }

    /** Slow start ended for another reason (loss, timeout): HyStart++ has nothing more to say. */
    void finish() {
        done = true;
    }

    boolean inConservativeSlowStart() {
        return inCss && !done;
    }

    boolean finished() {
        return done;
    }
}
