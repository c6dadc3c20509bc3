package io.sluice.core.tcp.cc;

/**
 * The state of one CUBIC congestion avoidance stage (RFC 9438 §4.2, §4.3), in segments and seconds; a second copy
 * keeps it for undo (§4.9).
 */
final class CubicCurve {

    /** Window at the last congestion event after fast convergence (§4.7), segments; 0 before any. */
    double wMax;
    /** Time from the epoch start until W_cubic reaches W_max (§4.2), seconds. */
    double k;
    /** Whether a stage has begun; it begins at the first ACK in congestion avoidance. */
    boolean epochActive;
    long epochStartNanos;
    /** cwnd when the current congestion avoidance stage began, segments. */
    double cwndEpoch;
    /** The Reno-friendly estimate W_est (§4.3), segments. */
    double wEst;
    /** cwnd just before the last congestion event, segments; 0 before any (α_cubic is then 1). */
    double cwndPrior;
    /** The next stage follows a timeout: K = 0, W_max = its starting window (§4.8). */
    boolean afterTimeout;

    void copyFrom(CubicCurve other) {
        wMax = other.wMax;
        k = other.k;
        epochActive = other.epochActive;
        epochStartNanos = other.epochStartNanos;
        cwndEpoch = other.cwndEpoch;
        wEst = other.wEst;
        cwndPrior = other.cwndPrior;
        afterTimeout = other.afterTimeout;
    }
}
