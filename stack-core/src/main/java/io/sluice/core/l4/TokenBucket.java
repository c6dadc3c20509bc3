package io.sluice.core.l4;

/**
 * A token bucket of one worker, in its GCRA form: instead of a token count refilled on a clock, one "theoretical
 * arrival time" that each granted token pushes forward by {@code 1/rate}; a request is granted while that time is
 * at most {@code burst - 1} intervals ahead of now. Time is passed in (the worker's loop time), so tests step it.
 * Used by one thread; allocation-free.
 */
public final class TokenBucket {

    private final long intervalNanos;
    private final long toleranceNanos;
    private long theoreticalArrival = Long.MIN_VALUE;
    private long granted;
    private long refused;

    /**
     * @param perSecond sustained rate, at least 1
     * @param burst tokens available at once after a quiet period, at least 1
     */
    public TokenBucket(long perSecond, int burst) {
        if (perSecond < 1 || perSecond > 1_000_000_000L || burst < 1) {
            throw new IllegalArgumentException("token bucket needs a rate in 1..1e9 per second and a burst of at least"
                    + " 1, got " + perSecond + "/s burst " + burst);
        }
        this.intervalNanos = 1_000_000_000L / perSecond;
        this.toleranceNanos = intervalNanos * (burst - 1);
    }

    /** Takes a token at time {@code now} (nanoseconds) if one is available. */
    public boolean tryTake(long now) {
        long tat = Math.max(theoreticalArrival, now);
        if (tat - now > toleranceNanos) {
            refused++;
            return false;
        }
        theoreticalArrival = tat + intervalNanos;
        granted++;
        return true;
    }

    /** Tokens granted so far. */
    public long granted() {
        return granted;
    }

    /** Requests refused so far. */
    public long refused() {
        return refused;
    }
}
