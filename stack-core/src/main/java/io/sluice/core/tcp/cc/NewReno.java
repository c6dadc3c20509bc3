package io.sluice.core.tcp.cc;

/**
 * NewReno: RFC 5681 slow start and congestion avoidance with appropriate byte counting (RFC 3465, L = 2 SMSS, 1 SMSS
 * after a timeout), the RFC 5681 §3.1 equation 4 decrease, ssthresh = max(FlightSize / 2, 2 * SMSS), and the
 * RFC 6582 fast-recovery window rules (in {@link CongestionControl}'s recovery events).
 *
 * <p>Congestion avoidance counts bytes (RFC 3465 §2.1, allowed by RFC 5681 §3.1): once a whole window's worth of
 * bytes has been acknowledged, cwnd grows by one SMSS, so one SMSS per round trip however the receiver delays its
 * ACKs.
 */
public final class NewReno extends AbstractCongestionControl {

    /** Bytes acknowledged in congestion avoidance not yet turned into window growth. */
    private long bytesAckedInAvoidance;
    private long undoBytesAckedInAvoidance;

    /** @param smss the sender maximum segment size in bytes */
    public NewReno(int smss) {
        super(smss);
    }

    @Override
    public String name() {
        return CongestionControls.NEWRENO;
    }

    @Override
    void observeAck(long nowNanos, long rttNanos) {
        // NewReno's growth does not depend on time.
    }

    @Override
    long congestionAvoidance(long nowNanos, long bytesAcked, long cwnd) {
        bytesAckedInAvoidance += bytesAcked;
        if (bytesAckedInAvoidance >= cwnd) {
            bytesAckedInAvoidance -= cwnd;
            return cwnd + smss();
        }
        return cwnd;
    }

    @Override
    void applicationLimited(long nowNanos) {
        // Nothing to keep: the window simply does not grow (RFC 7661).
    }

    @Override
    long decreasedSsthresh(long nowNanos, long flightSize, long cwnd) {
        bytesAckedInAvoidance = 0;
        return flightSize / 2;
    }

    @Override
    void timedOut(long nowNanos) {
        bytesAckedInAvoidance = 0;
    }

    @Override
    void smssChanged() {
        // Byte counting needs nothing: the window is in bytes.
    }

    @Override
    void saveState() {
        undoBytesAckedInAvoidance = bytesAckedInAvoidance;
    }

    @Override
    void restoreSaved() {
        bytesAckedInAvoidance = undoBytesAckedInAvoidance;
    }

    @Override
    public String toString() {
        return "newreno cwnd=" + cwnd() + " ssthresh=" + ssthresh();
    }
}
