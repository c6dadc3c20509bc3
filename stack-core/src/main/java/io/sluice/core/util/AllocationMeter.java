package io.sluice.core.util;

import java.lang.management.ManagementFactory;

/**
 * Bytes the current thread has allocated on the Java heap, from the JVM's per-thread allocation counter. Tests use
 * it to prove a hot path allocates nothing; benchmarks use it to report bytes allocated per operation.
 *
 * <p>Warm-up matters: with the JIT on, the JVM itself may allocate a few dozen bytes on the running thread, once,
 * when compiled code is replaced (seen: a 24-byte {@code String} and its array when C2 swaps in a new version of a
 * method on the path, even with that method excluded from compilation; never when interpreted). So
 * {@link #allocatedInSteadyState} first runs the work until the counter stays still for several runs in a row,
 * and then reports the fewest bytes of several measured runs. On a loaded machine the compiler threads lag, and
 * replacements can land in several measured runs in a row (seen in CI: 88 bytes in each of three), so a measured
 * run that allocated is followed by a short pause that lets pending compilations finish before the next one.
 */
public final class AllocationMeter {

    /** Consecutive warm-up runs that must allocate nothing before the measured run. */
    public static final int QUIET_RUNS = 3;
    /** Measured runs at most; the fewest bytes any of them allocated is the result. */
    public static final int MEASURED_RUNS = 10;
    /** Pause after a measured run that allocated, for the compiler threads to catch up. */
    private static final long SETTLE_MILLIS = 50;
    /** Warm-up runs after which the work is declared to allocate in steady state. */
    public static final int MAX_WARMUP_RUNS = 300;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static {
        if (!THREADS.isThreadAllocatedMemorySupported()) {
            throw new UnsupportedOperationException("this JVM does not count per-thread allocation");
        }
        THREADS.setThreadAllocatedMemoryEnabled(true);
    }

    private AllocationMeter() {}

    /** Bytes allocated so far by the calling thread. */
    public static long allocatedBytes() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /** Bytes the calling thread allocated while running {@code work} once. */
    public static long allocatedBy(Runnable work) {
        long before = allocatedBytes();
        work.run();
        return allocatedBytes() - before;
    }

    /**
     * Runs {@code warmup} until it allocates nothing {@link #QUIET_RUNS} times in a row, then runs {@code measured}
     * up to {@link #MEASURED_RUNS} times and returns the fewest bytes one run allocated (stopping at the first run
     * that allocates nothing).
     *
     * <p>Why the fewest: the JIT may still replace compiled code after a quiet warm-up, and a replacement can
     * allocate a few dozen bytes on the running thread once. An allocation on the code's own path happens on every
     * run, so it still shows in the minimum.
     *
     * @throws IllegalStateException if the warm-up never settles within {@link #MAX_WARMUP_RUNS} runs (the work
     *     allocates in steady state); the message lists the bytes of each warm-up run
     */
    public static long allocatedInSteadyState(Runnable warmup, Runnable measured) {
        int quiet = 0;
        StringBuilder perRun = new StringBuilder();
        for (int run = 0; run < MAX_WARMUP_RUNS && quiet < QUIET_RUNS; run++) {
            long bytes = allocatedBy(warmup);
            quiet = bytes == 0 ? quiet + 1 : 0;
            perRun.append(bytes).append(' ');
        }
        if (quiet < QUIET_RUNS) {
            throw new IllegalStateException("warm-up never stopped allocating; bytes per run: " + perRun);
        }
        long fewest = Long.MAX_VALUE;
        for (int run = 0; run < MEASURED_RUNS && fewest > 0; run++) {
            fewest = Math.min(fewest, allocatedBy(measured));
            if (fewest > 0) {
                settle();
            }
        }
        return fewest;
    }

    private static void settle() {
        try {
            Thread.sleep(SETTLE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@link #allocatedInSteadyState(Runnable, Runnable)} with the same work for warm-up and measurement. */
    public static long allocatedInSteadyState(Runnable work) {
        return allocatedInSteadyState(work, work);
    }
}
