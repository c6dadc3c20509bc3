package io.sluice.session.segment;

import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The var handles every shared-memory structure uses for atomic access to a {@code long} or {@code int} at a byte
 * offset of a {@link java.lang.foreign.MemorySegment}: coordinates {@code (MemorySegment segment, long offset)}.
 * The layouts are naturally aligned, so a misaligned offset fails instead of tearing.
 */
public final class SharedAccess {

    /** A {@code long} at an offset: getAcquire/setRelease/getVolatile/compareAndSet/getAndAdd. */
    public static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    /** An {@code int} at an offset: getAcquire/setRelease/getVolatile/compareAndSet/getAndAdd. */
    public static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private SharedAccess() {}
}
