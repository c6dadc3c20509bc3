package io.sluice.core.buffer;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pool-wide stack of free buffer indices behind the per-worker caches; safe for any number of threads.
 *
 * <p>An {@code int[]} stack guarded by a test-and-test-and-set spin lock. Why not a lock-free structure: the
 * caches only ever move batches (half a cache, 256 indices by default), and a batch under a lock is one
 * {@code System.arraycopy} of a kilobyte, some tens of nanoseconds; a lock-free stack or queue moves one index
 * per CAS (a Treiber stack of indices also needs an ABA tag), so a batch would cost hundreds of contended CASes.
 * Why not {@code ReentrantLock}: it allocates queue nodes when contended, and the data path must not allocate.
 * The lock is taken only when a cache runs empty or full, so contention is rare; a waiter spins briefly and then
 * yields, since on a small machine the holder may have been descheduled.
 */
final class SharedFreeList {

    private static final int SPINS_BEFORE_YIELD = 64;

    /** The free indices; entries {@code [0, count)} are valid, the top of the stack at {@code count - 1}. */
    private final int[] stack;

    /**
     * 0 when free, 1 when held. CAS acquires, a release store frees: pairs with the next acquirer's CAS.
     * Atomic objects rather than VarHandles on fields: their methods are intrinsics in every tier, whereas a
     * VarHandle call site may link method handle adapters (heap allocation) when the JIT first compiles it.
     */
    private final AtomicInteger lock = new AtomicInteger();

    /** Number of free indices. Written under the lock with release stores; read without it (acquire) for gauges. */
    private final AtomicInteger count = new AtomicInteger();

    /** A list holding every index {@code 0..capacity-1}, so index 0 is taken first. */
    SharedFreeList(int capacity) {
        stack = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            stack[i] = capacity - 1 - i;
        }
        count.setRelease(capacity);
    }

    /** Number of free indices now; exact at the instant it was read. */
    int size() {
        return count.getAcquire();
    }

    int capacity() {
        return stack.length;
    }

    /** Moves up to {@code max} indices into {@code dst[offset...]}; returns how many were moved. */
    int take(int[] dst, int offset, int max) {
        if (max <= 0 || size() == 0) {
            return 0;
        }
        acquire();
        try {
            int n = count.getPlain();
            int taken = Math.min(n, max);
            System.arraycopy(stack, n - taken, dst, offset, taken);
            count.setRelease(n - taken);
            return taken;
        } finally {
            release();
        }
    }

    /** Moves {@code n} indices from {@code src[offset...]} onto the stack. */
    void put(int[] src, int offset, int n) {
        if (n <= 0) {
            return;
        }
        acquire();
        try {
            int c = count.getPlain();
            if (n > stack.length - c) {
                // Only reachable if an index was freed twice behind the double-free check (a data race).
                throw new IllegalStateException("shared free list overflow: " + c + " + " + n + " > " + stack.length);
            }
            System.arraycopy(src, offset, stack, c, n);
            count.setRelease(c + n);
        } finally {
            release();
        }
    }

    private void acquire() {
        int spins = 0;
        while (true) {
            if (lock.getOpaque() == 0 && lock.compareAndSet(0, 1)) {
                return;
            }
            if (++spins < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                spins = 0;
                Thread.yield();
            }
        }
    }

    private void release() {
        lock.setRelease(0);
    }
}
