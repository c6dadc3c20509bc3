package io.sluice.core.tcp.cc;

/**
 * CUBIC (RFC 9438), the default: after a congestion event the window follows W_cubic(t) = C (t − K)^3 + W_max
 * (§4.2), concave up to the window of the last event and convex beyond it, never slower than an estimate of what
 * Reno would have (§4.3). Slow start, fast recovery and the loss window are RFC 5681 / RFC 6582's, shared with
 * {@link NewReno}: §4.10 recommends HyStart++ (RFC 9406) for slow start, which is not implemented here.
 *
 * <p>Units: the RFC's windows are in segments and its time in seconds, so the cubic state is kept that way in
 * doubles; the window handed out is bytes ({@link #cwnd()}), converted with the current SMSS, and times arrive as
 * nanoseconds and are divided by {@link #NANOS_PER_SECOND}. Fractions of a byte of growth are carried over between
 * ACKs so small increases are not lost.
 */
public final class Cubic extends AbstractCongestionControl {

    /** §5 / §4.2: the constant C that scales the cubic function, in segments per second cubed. */
    public static final double C = 0.4;
    /** §4.6: the multiplicative decrease factor β_cubic. */
    public static final double BETA = 0.7;
    /** §4.3: α_cubic = 3 (1 − β_cubic) / (1 + β_cubic), so W_est grows like Reno's average window. */
    public static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);
    /** §4.4: the target window is at most this multiple of cwnd (growth of at most 50% per round trip). */
    public static final double MAX_TARGET_FACTOR = 1.5;
    static final double NANOS_PER_SECOND = 1e9;
    /** The gain of the smoothed RTT kept from samples, as RFC 6298 §2.3's alpha. */
    private static final double RTT_GAIN = 1.0 / 8;

    /** The curve of the current congestion avoidance stage. */
    private final CubicCurve curve = new CubicCurve();
    /** The curve as it was before the last congestion event, for undo (§4.9). */
    private final CubicCurve saved = new CubicCurve();
    private double srttNanos;
    private long lastAckNanos;
    private long previousAckNanos;
    /** Growth in bytes not yet added to cwnd because it is less than a byte. */
    private double pendingBytes;

    /** @param smss the sender maximum segment size in bytes */
    public Cubic(int smss) {
        super(smss);
    }

    @Override
    public String name() {
        return CongestionControls.CUBIC;
    }

    /** §4.2 Figure 2: K = cbrt((W_max − cwnd_epoch) / C), in seconds; negative when W_max is below cwnd_epoch. */
    static double k(double wMax, double cwndEpoch) {
        return Math.cbrt((wMax - cwndEpoch) / C);
    }

    /** §4.2 Figure 1: W_cubic(t) = C (t − K)^3 + W_max, segments, for t and K in seconds. */
    static double wCubic(double t, double k, double wMax) {
        double d = t - k;
        return C * d * d * d + wMax;
    }

    @Override
    void observeAck(long nowNanos, long rttNanos) {
        previousAckNanos = lastAckNanos;
        lastAckNanos = nowNanos;
        if (rttNanos >= 0) {
            srttNanos = srttNanos == 0 ? rttNanos : srttNanos + (rttNanos - srttNanos) * RTT_GAIN;
        }
    }

    @Override
    long congestionAvoidance(long nowNanos, long bytesAcked, long cwnd) {
        double smss = smss();
        double cwndSegments = cwnd / smss;
        if (!curve.epochActive) {
            startEpoch(nowNanos, cwndSegments);
        }
        double t = (nowNanos - curve.epochStartNanos) / NANOS_PER_SECOND;
        double rtt = srttNanos / NANOS_PER_SECOND;
        double segmentsAcked = bytesAcked / smss;
        // §4.3: W_est grows by α_cubic per window acknowledged; α_cubic becomes 1 once W_est reaches cwnd_prior.
        double alpha = curve.wEst >= curve.cwndPrior ? 1 : ALPHA;
        curve.wEst += alpha * segmentsAcked / cwndSegments;
        // Either region grows at most (1.5 − 1) segment per segment acknowledged: §4.4's bound of the target.
        double maxGrowth = (MAX_TARGET_FACTOR - 1) * segmentsAcked;
        double growthSegments;
        if (wCubic(t, curve.k, curve.wMax) < curve.wEst) {
            // §4.3: the Reno-friendly region, cwnd = W_est (approached at the bounded rate should one huge
            // stretch ACK have pushed W_est far ahead)
            growthSegments = Math.clamp(curve.wEst - cwndSegments, 0, maxGrowth);
        } else {
            // §4.4 and §4.5: aim at W_cubic one RTT ahead, clamped to [cwnd, 1.5 cwnd], and close
            // (target − cwnd) / cwnd of the gap per segment acknowledged.
            double target = Math.min(Math.max(wCubic(t + rtt, curve.k, curve.wMax), cwndSegments),
                    MAX_TARGET_FACTOR * cwndSegments);
            growthSegments = Math.min((target - cwndSegments) / cwndSegments * segmentsAcked, maxGrowth);
        }
        pendingBytes += growthSegments * smss;
        long whole = (long) pendingBytes;
        pendingBytes -= whole;
        return cwnd + whole;
    }

    private void startEpoch(long nowNanos, double cwndSegments) {
        curve.epochActive = true;
        curve.epochStartNanos = nowNanos;
        curve.cwndEpoch = cwndSegments;
        curve.wEst = cwndSegments; // §4.3: W_est starts at cwnd_epoch
        if (curve.afterTimeout || curve.wMax < cwndSegments) {
            // §4.8 after a timeout; likewise before any congestion event or when the window already passed W_max:
            // the curve starts at its plateau and is convex from here.
            curve.wMax = cwndSegments;
            curve.k = 0;
        } else {
            curve.k = k(curve.wMax, curve.cwndEpoch);
        }
        curve.afterTimeout = false;
        pendingBytes = 0;
    }

    @Override
    void applicationLimited(long nowNanos) {
        // The window is not growing, so neither should the curve's clock: t counts only time in which the window
        // was in use (RFC 9438 §5.8 on application-limited flows).
        if (curve.epochActive && previousAckNanos != 0) {
            curve.epochStartNanos += nowNanos - previousAckNanos;
        }
    }

    @Override
    long decreasedSsthresh(long nowNanos, long flightSize, long cwnd) {
        double cwndSegments = (double) cwnd / smss();
        // §4.7 fast convergence: a window below the last W_max means a new flow is taking bandwidth, so
        // release some by aiming lower.
        curve.wMax = cwndSegments < curve.wMax ? cwndSegments * (1 + BETA) / 2 : cwndSegments;
        curve.cwndPrior = cwndSegments;
        curve.epochActive = false;
        pendingBytes = 0;
        return (long) (flightSize * BETA); // §4.6: ssthresh = flight_size * β_cubic
    }

    @Override
    void timedOut(long nowNanos) {
        curve.epochActive = false;
        curve.afterTimeout = true;
        pendingBytes = 0;
    }

    @Override
    void smssChanged() {
        // The curve is in segments of the old size: begin a new congestion avoidance stage from the window in
        // bytes, as after a timeout (§4.8), rather than jump to or fall behind the old segment counts.
        curve.epochActive = false;
        curve.afterTimeout = true;
        curve.cwndPrior = 0;
        pendingBytes = 0;
    }

    @Override
    void saveState() {
        saved.copyFrom(curve);
    }

    @Override
    void restoreSaved() {
        curve.copyFrom(saved); // §4.9: the event was not a congestion signal, so the curve continues where it was
        pendingBytes = 0;
    }

    /** @return W_max in segments (§4.2), 0 before the first congestion event */
    double wMax() {
        return curve.wMax;
    }

    /** @return K in seconds for the current congestion avoidance stage (§4.2) */
    double k() {
        return curve.k;
    }

    /** @return the Reno-friendly estimate W_est in segments (§4.3) */
    double wEst() {
        return curve.wEst;
    }

    /** @return cwnd at the start of the current congestion avoidance stage, segments */
    double cwndEpoch() {
        return curve.cwndEpoch;
    }

    @Override
    public String toString() {
        return "cubic cwnd=" + cwnd() + " ssthresh=" + ssthresh() + " wMax=" + curve.wMax + " K=" + curve.k;
    }
}
