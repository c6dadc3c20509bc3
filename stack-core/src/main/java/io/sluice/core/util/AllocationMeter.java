package io.sluice.core.util;

import java.lang.management.ManagementFactory;

/**
 * Bytes the current thread has allocated on the Java heap, from the JVM's per-thread allocation counter. Tests use
 * it to prove a hot path allocates nothing; benchmarks use it to report bytes allocated per operation.
 */
public final class AllocationMeter {

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

    /**
     * Runs {@code work} {@code warmups} times (so the JIT compiles it), then once more while counting, and returns
     * the bytes the calling thread allocated during the counted run. The counter's own call is subtracted.
     */
    public static long allocatedDuring(Runnable work, int warmups) {
        for (int i = 0; i < warmups; i++) {
            work.run();
        }
        long overhead = allocatedBytes();
        overhead = allocatedBytes() - overhead;
        long before = allocatedBytes();
        work.run();
        return Math.max(0, allocatedBytes() - before - overhead);
    }
}
