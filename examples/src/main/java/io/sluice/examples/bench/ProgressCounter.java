package io.sluice.examples.bench;

import io.sluice.session.segment.SharedAccess;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A count one worker thread publishes and the measuring thread samples, alone on its cache line (in native memory,
 * so no field layout can put it beside a hot field of another object).
 */
final class ProgressCounter {

    private static final int LINE = 64;

    /** Two lines: the value sits in the second half, away from whatever precedes the allocation. */
    private final MemorySegment cell = Arena.ofAuto().allocate(2 * LINE, 2 * LINE);

    /** Owner thread: publishes a new value (release; one store, no fence). */
    void set(long value) {
        SharedAccess.LONG.setRelease(cell, (long) LINE, value);
    }

    /** Any thread: the last published value. */
    long get() {
        return (long) SharedAccess.LONG.getAcquire(cell, (long) LINE);
    }
}
