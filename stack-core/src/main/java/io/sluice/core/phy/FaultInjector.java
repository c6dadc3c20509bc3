package io.sluice.core.phy;

import java.util.SplittableRandom;

/**
 * The faults one direction of an {@link InMemoryWire} applies to the frames transmitted on it: loss, delay with
 * jitter, reordering (some frames delayed extra), duplication, corruption (one flipped bit) and a rate limit (a
 * token bucket whose overflow waits in a bounded queue). Every random decision comes from one
 * {@link SplittableRandom} seeded at build time, so the same seed and the same traffic replay exactly.
 *
 * <p>The wire asks, per frame and in this order: {@link #lose()}, {@link #departure(long, int)} (the rate limit),
 * {@link #propagationDelay()}, {@link #corruptBit(int)}, {@link #duplicate()}. A disabled fault draws no random
 * number, so enabling one fault does not change the decisions of another that was already on only through the
 * draws they share. Each fault counts the frames it hit, for tests and {@code show} commands.
 *
 * <p>One injector belongs to one direction of one wire and is used by the thread driving it; nothing here
 * allocates per frame.
 */
public final class FaultInjector {

    /** What {@link #departure(long, int)} returns for a frame the rate limiter's full queue refused. */
    public static final long RATE_DROPPED = Long.MIN_VALUE;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final long seed;
    private final double lossProbability;
    private final long delayNanos;
    private final long jitterNanos;
    private final double reorderProbability;
    private final long reorderDelayNanos;
    private final double duplicateProbability;
    private final double corruptProbability;
    private final long rateBitsPerSecond;
    private final long burstNanos;
    private final long queueNanos;

    private final SplittableRandom random;

    /** Rate limiter (GCRA form of the token bucket): when the bucket would be exactly full again. */
    private long theoreticalArrival = Long.MIN_VALUE;

    private long frames;
    private long lost;
    private long reordered;
    private long duplicated;
    private long corrupted;
    private long rateQueued;
    private long rateDropped;

    private FaultInjector(Builder b) {
        seed = b.seed;
        lossProbability = b.lossProbability;
        delayNanos = b.delayNanos;
        jitterNanos = b.jitterNanos;
        reorderProbability = b.reorderProbability;
        reorderDelayNanos = b.reorderDelayNanos;
        duplicateProbability = b.duplicateProbability;
        corruptProbability = b.corruptProbability;
        rateBitsPerSecond = b.rateBitsPerSecond;
        burstNanos = rateBitsPerSecond == 0 ? 0 : transmissionNanos(b.burstBytes);
        queueNanos = rateBitsPerSecond == 0 ? 0 : transmissionNanos(b.queueBytes);
        random = new SplittableRandom(seed);
    }

    /** An injector that changes nothing: no delay, no faults, no rate limit. */
    public static FaultInjector none() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------------------------------- per frame

    /** Whether this frame is lost (counted). Also counts the frame as seen. */
    public boolean lose() {
        frames++;
        if (lossProbability > 0 && random.nextDouble() < lossProbability) {
            lost++;
            return true;
        }
        return false;
    }

    /**
     * When a frame of {@code length} bytes offered at {@code now} leaves the rate limiter: {@code now} when the
     * bucket has the tokens (or there is no limit), later when the frame has to wait for them behind the frames
     * queued before it, or {@link #RATE_DROPPED} (counted) when the wait would exceed the queue bound.
     */
    public long departure(long now, int length) {
        if (rateBitsPerSecond == 0) {
            return now;
        }
        long cost = transmissionNanos(length);
        long tat = Math.max(theoreticalArrival, now);
        long leave = Math.max(now, tat - burstNanos);
        if (leave - now > queueNanos) {
            rateDropped++;
            return RATE_DROPPED;
        }
        if (leave > now) {
            rateQueued++;
        }
        theoreticalArrival = tat + cost;
        return leave;
    }

    /** The delay from leaving the rate limiter to delivery: fixed delay, jitter, and the reorder extra (counted). */
    public long propagationDelay() {
        long d = delayNanos;
        if (jitterNanos > 0) {
            d += random.nextLong(jitterNanos + 1);
        }
        if (reorderProbability > 0 && random.nextDouble() < reorderProbability) {
            reordered++;
            d += reorderDelayNanos;
        }
        return d;
    }

    /** The bit to flip in a frame of {@code length} bytes (counted), or -1 to leave it intact. */
    public int corruptBit(int length) {
        if (corruptProbability > 0 && length > 0 && random.nextDouble() < corruptProbability) {
            corrupted++;
            return random.nextInt(length * 8);
        }
        return -1;
    }

    /** Whether the frame is delivered twice. */
    public boolean duplicate() {
        return duplicateProbability > 0 && random.nextDouble() < duplicateProbability;
    }

    /** Counts a duplicate that was actually made (the wire had room for the copy). */
    void countDuplicate() {
        duplicated++;
    }

    private long transmissionNanos(long bytes) {
        // bytes * 8e9 stays below 2^63 up to 1.15e9 bytes; beyond that the wait is practically forever
        return bytes <= 1_000_000_000L ? bytes * 8 * NANOS_PER_SECOND / rateBitsPerSecond : Long.MAX_VALUE / 4;
    }

    // ---------------------------------------------------------------------------------------- counters

    /** Frames offered to this injector. */
    public long frames() {
        return frames;
    }

    public long lost() {
        return lost;
    }

    /** Frames given the reorder extra delay. */
    public long reordered() {
        return reordered;
    }

    /** Extra copies delivered. */
    public long duplicated() {
        return duplicated;
    }

    /** Frames with one bit flipped. */
    public long corrupted() {
        return corrupted;
    }

    /** Frames that waited in the rate limiter's queue. */
    public long rateQueued() {
        return rateQueued;
    }

    /** Frames refused because the rate limiter's queue was full. */
    public long rateDropped() {
        return rateDropped;
    }

    public long seed() {
        return seed;
    }

    @Override
    public String toString() {
        return "faults seed " + seed + " loss " + lossProbability + " delay " + delayNanos + "ns jitter "
                + jitterNanos + "ns reorder " + reorderProbability + "/+" + reorderDelayNanos + "ns duplicate "
                + duplicateProbability + " corrupt " + corruptProbability + " rate " + rateBitsPerSecond
                + "bps: frames " + frames + " lost " + lost + " reordered " + reordered + " duplicated " + duplicated
                + " corrupted " + corrupted + " rate-queued " + rateQueued + " rate-dropped " + rateDropped;
    }

    /** Configuration; every setter checks its argument and says what was wrong. */
    public static final class Builder {

        private long seed;
        private double lossProbability;
        private long delayNanos;
        private long jitterNanos;
        private double reorderProbability;
        private long reorderDelayNanos;
        private double duplicateProbability;
        private double corruptProbability;
        private long rateBitsPerSecond;
        private int burstBytes;
        private int queueBytes;

        private Builder() {}

        /** The random seed: the same seed replays the same decisions. Default 0. */
        public Builder seed(long value) {
            seed = value;
            return this;
        }

        /** Probability in [0, 1] that a frame is lost. */
        public Builder loss(double probability) {
            lossProbability = probability(probability, "loss");
            return this;
        }

        /** Fixed delay of every frame, nanoseconds, at least 0. */
        public Builder delay(long nanos) {
            delayNanos = nonNegative(nanos, "delay");
            return this;
        }

        /** Uniform extra delay in [0, nanos] per frame (frames may overtake each other). */
        public Builder jitter(long nanos) {
            jitterNanos = nonNegative(nanos, "jitter");
            return this;
        }

        /** A fraction of frames, probability in [0, 1], delayed {@code extraNanos} (> 0) more than the others. */
        public Builder reorder(double probability, long extraNanos) {
            reorderProbability = probability(probability, "reorder");
            if (probability > 0 && extraNanos <= 0) {
                throw new IllegalArgumentException("reorder needs an extra delay above 0 ns, got " + extraNanos);
            }
            reorderDelayNanos = nonNegative(extraNanos, "reorder extra delay");
            return this;
        }

        /** Probability in [0, 1] that a frame is delivered twice. */
        public Builder duplicate(double probability) {
            duplicateProbability = probability(probability, "duplicate");
            return this;
        }

        /** Probability in [0, 1] that one random bit of a frame is flipped. */
        public Builder corrupt(double probability) {
            corruptProbability = probability(probability, "corrupt");
            return this;
        }

        /**
         * Limits the rate to {@code bitsPerSecond} with a token bucket of {@code burstBytes}; frames beyond the
         * bucket wait in a queue of at most {@code queueBytes} (its drain time at the rate), later ones are
         * dropped. A rate of 0 removes the limit.
         */
        public Builder rateLimit(long bitsPerSecond, int burstBytes, int queueBytes) {
            if (bitsPerSecond < 0) {
                throw new IllegalArgumentException("rate must be at least 0 bits/s (0: no limit), got "
                        + bitsPerSecond);
            }
            if (burstBytes < 0 || queueBytes < 0) {
                throw new IllegalArgumentException("rate limit burst and queue must be at least 0 bytes, got burst "
                        + burstBytes + ", queue " + queueBytes);
            }
            rateBitsPerSecond = bitsPerSecond;
            this.burstBytes = burstBytes;
            this.queueBytes = queueBytes;
            return this;
        }

        public FaultInjector build() {
            return new FaultInjector(this);
        }

        private static double probability(double p, String what) {
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException(what + " probability must be in [0, 1], got " + p);
            }
            return p;
        }

        private static long nonNegative(long nanos, String what) {
            if (nanos < 0) {
                throw new IllegalArgumentException(what + " must be at least 0 ns, got " + nanos);
            }
            return nanos;
        }
    }
}
