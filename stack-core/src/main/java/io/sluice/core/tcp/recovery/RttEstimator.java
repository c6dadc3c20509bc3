package io.sluice.core.tcp.recovery;

/**
 * The retransmission timeout of one connection, computed as RFC 6298 specifies: a smoothed RTT (SRTT) and its
 * variation (RTTVAR) with gains alpha = 1/8 and beta = 1/4, {@code RTO = SRTT + max(G, K * RTTVAR)} with K = 4 and
 * clock granularity G, bounded below and above, doubled on each expiry of the retransmission timer.
 *
 * <p><b>Karn's rule is the caller's.</b> RFC 6298 §3 forbids RTT samples from retransmitted segments unless
 * timestamps (RFC 7323) make the sample unambiguous. Only the state machine knows whether a segment was
 * retransmitted and whether a timestamp echo identifies the transmission, so it decides and calls
 * {@link #sample(long)} only with samples that pass; this class takes every sample it is given.
 *
 * <p><b>Minimum RTO.</b> RFC 6298 §2.4 says 1 second; the default here is 200 ms, as in Linux, because with 1 s a
 * single lost tail segment on a sub-millisecond path (loopback, a data centre, the TAP and veth links this stack is
 * tested on) stalls the connection a thousand RTTs, and the Linux peers we interoperate with use 200 ms too. The
 * RFC value is one setting away ({@link #RttEstimator(long, long, long)}).
 *
 * <p>Times are {@code long} nanoseconds. Arithmetic is integer (fractions rounded down), which at nanosecond
 * resolution is far finer than any clock granularity. Single-threaded; allocation-free.
 */
public final class RttEstimator {

    /** Nanoseconds in a millisecond. */
    public static final long MILLISECOND = 1_000_000L;
    /** Nanoseconds in a second. */
    public static final long SECOND = 1_000_000_000L;
    /** RTO before any RTT sample (RFC 6298 §2.1). */
    public static final long INITIAL_RTO = SECOND;
    /** RTO once data flows after the SYN or SYN-ACK timed out (RFC 6298 §5.7). */
    public static final long HANDSHAKE_TIMEOUT_RTO = 3 * SECOND;
    /** Default clock granularity G: the timer wheel's resolution is finer, 1 ms is what timers can honour. */
    public static final long DEFAULT_GRANULARITY = MILLISECOND;
    /** Default lower bound of the RTO (Linux's value; see the class comment for why not the RFC's 1 s). */
    public static final long DEFAULT_MIN_RTO = 200 * MILLISECOND;
    /** Default upper bound of the RTO: RFC 6298 §2.5 allows any bound of at least 60 s; 60 s keeps retries prompt. */
    public static final long DEFAULT_MAX_RTO = 60 * SECOND;
    /** K of RFC 6298 §2.3. */
    static final int K = 4;

    private final long granularity;
    private final long minRto;
    private final long maxRto;

    private boolean hasSample;
    private long srtt;
    private long rttvar;
    /** The RTO the estimate gives, before backoff. */
    private long baseRto = INITIAL_RTO;
    private long rto;
    private int backoffs;

    /** An estimator with G = 1 ms, minimum RTO 200 ms and maximum RTO 60 s. */
    public RttEstimator() {
        this(DEFAULT_GRANULARITY, DEFAULT_MIN_RTO, DEFAULT_MAX_RTO);
    }

    /**
     * @param granularity clock granularity G in nanoseconds, at least 1
     * @param minRto lower bound of the RTO in nanoseconds, at least G
     * @param maxRto upper bound of the RTO in nanoseconds, at least 60 s (RFC 6298 §2.5) and at least minRto
     */
    public RttEstimator(long granularity, long minRto, long maxRto) {
        if (granularity < 1) {
            throw new IllegalArgumentException("RTT clock granularity must be at least 1 ns, got " + granularity);
        }
        if (minRto < granularity) {
            throw new IllegalArgumentException("minimum RTO " + minRto + " ns is below the clock granularity "
                    + granularity + " ns");
        }
        if (maxRto < 60 * SECOND || maxRto < minRto) {
            throw new IllegalArgumentException("maximum RTO " + maxRto + " ns must be at least 60 s (RFC 6298 §2.5)"
                    + " and at least the minimum RTO " + minRto + " ns");
        }
        this.granularity = granularity;
        this.minRto = minRto;
        this.maxRto = maxRto;
        this.rto = bounded(INITIAL_RTO);
    }

    /**
     * Takes one RTT measurement (RFC 6298 §2.2 for the first, §2.3 for later ones) and recomputes the RTO, which
     * also ends any backoff: the backed-off RTO is kept only until a valid sample arrives (§5.7 with Karn's
     * algorithm). A negative sample (a clock that went backwards) is ignored.
     *
     * @param rtt the measured round-trip time in nanoseconds
     * @return whether the sample was used
     */
    public boolean sample(long rtt) {
        if (rtt < 0) {
            return false;
        }
        if (!hasSample) {
            srtt = rtt;
            rttvar = rtt / 2;
            hasSample = true;
        } else {
            // RTTVAR first, from the old SRTT (§2.3 says the order matters).
            rttvar = (3 * rttvar + Math.abs(srtt - rtt)) / 4;
            srtt = (7 * srtt + rtt) / 8;
        }
        baseRto = bounded(srtt + Math.max(granularity, K * rttvar));
        rto = baseRto;
        backoffs = 0;
        return true;
    }

    /**
     * The retransmission timer expired (RFC 6298 §5.5): doubles the RTO, up to the maximum.
     *
     * @return the new RTO to arm the timer with
     */
    public long onTimeout() {
        rto = rto > maxRto / 2 ? maxRto : rto * 2;
        backoffs++;
        return rto;
    }

    /**
     * Data transmission begins after the SYN or SYN-ACK had to be retransmitted: the RTO becomes at least 3 s
     * (RFC 6298 §5.7), as the path just showed it may take that long. Clears the backoff.
     */
    public void onHandshakeTimedOut() {
        baseRto = bounded(Math.max(baseRto, HANDSHAKE_TIMEOUT_RTO));
        rto = baseRto;
        backoffs = 0;
    }

    private long bounded(long value) {
        return Math.min(maxRto, Math.max(minRto, value));
    }

    /** The current RTO in nanoseconds, backoff included. */
    public long rto() {
        return rto;
    }

    /** Whether any RTT sample has been taken (before that {@link #srtt()} and {@link #rttvar()} are 0). */
    public boolean hasSample() {
        return hasSample;
    }

    /** The smoothed RTT in nanoseconds, 0 before the first sample. */
    public long srtt() {
        return srtt;
    }

    /** The RTT variation in nanoseconds, 0 before the first sample. */
    public long rttvar() {
        return rttvar;
    }

    /** Timer expiries since the last sample: the RTO is the estimate's times 2^backoffs (up to the maximum). */
    public int backoffs() {
        return backoffs;
    }

    /** The configured lower bound of the RTO in nanoseconds. */
    public long minRto() {
        return minRto;
    }

    /** The configured upper bound of the RTO in nanoseconds. */
    public long maxRto() {
        return maxRto;
    }
}
