package io.sluice.core.buffer;

import static io.sluice.core.buffer.BufferPool.NO_BUFFER;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.BitSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BufferCacheTest {

    private static final int COUNT = 100;

    private final BufferPool pool = BufferPool.create(new BufferPoolConfig(COUNT, 256, 64, 16));

    @AfterEach
    void close() {
        pool.close();
    }

    @Test
    void allocatesEveryBufferOnceThenReportsExhaustion() {
        BufferCache cache = pool.newCache();
        BitSet seen = new BitSet();
        for (int k = 0; k < COUNT; k++) {
            int b = cache.allocate();
            assertTrue(b >= 0 && b < COUNT, "index " + b);
            assertFalse(seen.get(b), "index " + b + " handed out twice");
            seen.set(b);
            assertTrue(pool.isAllocated(b));
        }
        assertEquals(COUNT, pool.buffersInUse());
        assertEquals(0, pool.buffersFree());
        assertEquals(0, cache.allocationFailures());

        assertEquals(NO_BUFFER, cache.allocate());
        assertEquals(NO_BUFFER, cache.allocate());
        assertEquals(2, cache.allocationFailures());
        assertEquals(2, pool.allocationFailures());

        for (int b = 0; b < COUNT; b++) {
            assertTrue(cache.free(b));
        }
        assertEquals(COUNT, pool.buffersFree());
        assertEquals(0, pool.buffersInUse());
        cache.flushAll();
        assertEquals(COUNT, pool.buffersInSharedList());

        seen.clear();
        int[] again = new int[COUNT];
        assertEquals(COUNT, cache.allocate(again, 0, COUNT));
        for (int b : again) {
            seen.set(b);
        }
        assertEquals(COUNT, seen.cardinality());
        assertEquals(2, cache.allocationFailures());
    }

    @Test
    void batchAllocationIsPartialWhenNearlyExhausted() {
        BufferCache cache = pool.newCache();
        int[] most = new int[COUNT - 5];
        assertEquals(COUNT - 5, cache.allocate(most, 0, most.length));

        int[] dst = new int[20];
        Arrays.fill(dst, -7);
        assertEquals(5, cache.allocate(dst, 10, 8));
        assertEquals(3, cache.allocationFailures(), "the shortfall is counted");
        for (int k = 10; k < 15; k++) {
            assertTrue(pool.isAllocated(dst[k]));
        }
        assertEquals(-7, dst[9], "nothing written before the offset");
        assertEquals(-7, dst[15], "nothing written past the buffers delivered");

        assertEquals(0, cache.allocate(dst, 0, 4));
        assertEquals(7, cache.allocationFailures());
        assertThrows(IndexOutOfBoundsException.class, () -> cache.allocate(dst, 15, 6));
    }

    @Test
    void buffersFreedOnOneWorkerReachAnother() {
        BufferCache a = pool.newCache(8);
        BufferCache b = pool.newCache(8);
        int[] all = new int[COUNT];
        assertEquals(COUNT, a.allocate(all, 0, COUNT));
        assertEquals(NO_BUFFER, b.allocate(), "a holds every buffer");
        assertEquals(1, b.allocationFailures());

        // a frees all: it keeps at most 8 and flushes the rest in batches of 4 to the shared list.
        assertEquals(COUNT, a.free(all, 0, COUNT));
        assertTrue(a.cachedCount() <= 8 && a.cachedCount() > 4, "a kept " + a.cachedCount());
        assertEquals(COUNT - a.cachedCount(), pool.buffersInSharedList());

        int[] taken = new int[COUNT];
        int got = b.allocate(taken, 0, COUNT);
        assertEquals(COUNT - a.cachedCount(), got, "b gets everything a did not keep");
        assertEquals(COUNT, pool.buffersInUse() + a.cachedCount());
        assertEquals(1 + a.cachedCount(), b.allocationFailures());

        // Cross-worker free: b's buffers freed into a, then a closes and returns them all.
        assertEquals(got, a.free(taken, 0, got));
        a.close();
        assertEquals(COUNT, pool.buffersInSharedList());
        assertEquals(COUNT, pool.buffersFree());
        assertThrows(IllegalStateException.class, a::allocate);
        // Closed caches' counters stay in the pool's totals.
        assertEquals(1 + COUNT - got, pool.allocationFailures());
    }

    @Test
    void cacheTouchesTheSharedListOnlyInHalfCacheBatches() {
        BufferCache cache = pool.newCache(16);
        int first = cache.allocate();
        assertEquals(COUNT - 8, pool.buffersInSharedList(), "one refill of half a cache");
        assertEquals(7, cache.cachedCount());
        int[] seven = new int[7];
        assertEquals(7, cache.allocate(seven, 0, 7));
        assertEquals(COUNT - 8, pool.buffersInSharedList(), "served from the cache");
        cache.allocate();
        assertEquals(COUNT - 16, pool.buffersInSharedList());

        cache.flushAll();
        assertEquals(COUNT - 9, pool.buffersInSharedList(), "9 buffers are out");
        int[] sixteen = new int[16];
        assertEquals(16, cache.allocate(sixteen, 0, 16));
        assertEquals(COUNT - 25, pool.buffersInSharedList());
        assertEquals(16, cache.free(sixteen, 0, 16));
        assertEquals(16, cache.cachedCount());
        assertTrue(cache.free(first));
        assertEquals(9, cache.cachedCount(), "full cache flushed its older half");
        assertEquals(COUNT - 25 + 8, pool.buffersInSharedList());
        // The most recently freed buffer is the next one handed out (warm in the CPU cache).
        assertEquals(first, cache.allocate());
    }

    @Test
    void doubleFreeIsRejectedAndCounted() {
        BufferCache a = pool.newCache(4);
        BufferCache b = pool.newCache(4);
        int x = a.allocate();
        int y = a.allocate();
        assertTrue(a.free(x));
        assertFalse(a.free(x), "second free on the same cache");
        assertFalse(b.free(x), "second free on another cache");
        assertEquals(1, a.doubleFrees());
        assertEquals(1, b.doubleFrees());
        assertEquals(2, pool.doubleFrees());

        // Still detected once the index has moved on to the shared list.
        a.flushAll();
        assertFalse(a.free(x));
        // Never allocated at all.
        int never = COUNT - 1;
        assertFalse(pool.isAllocated(never));
        assertFalse(b.free(never));
        assertEquals(4, pool.doubleFrees());

        // The rejected frees did not put x into any list twice: every buffer comes out exactly once.
        assertTrue(a.free(y));
        a.flushAll();
        int[] all = new int[COUNT + 1];
        assertEquals(COUNT, b.allocate(all, 0, COUNT + 1));
        BitSet seen = new BitSet();
        for (int k = 0; k < COUNT; k++) {
            seen.set(all[k]);
        }
        assertEquals(COUNT, seen.cardinality());
    }

    @Test
    void batchFreeSkipsDoubleFrees() {
        BufferCache cache = pool.newCache();
        int[] three = new int[3];
        cache.allocate(three, 0, 3);
        int[] withRepeat = {three[0], three[1], three[0], three[2]};
        assertEquals(3, cache.free(withRepeat, 0, 4));
        assertEquals(1, cache.doubleFrees());
        assertEquals(COUNT, pool.buffersFree());
    }

    @Test
    void racingDoubleFreeThatSlippedThroughIsCaughtOnReallocation() {
        // Simulates two threads freeing the same buffer at once, both past the state check: the index ends up
        // in the free lists twice. Reallocation must refuse to hand it out a second time.
        BufferCache cache = pool.newCache(4);
        int x = cache.allocate();
        assertTrue(cache.free(x));
        pool.memory().set(JAVA_INT, pool.bufferOffset(x) + BufferLayout.STATE_OFFSET, BufferLayout.STATE_ALLOCATED);
        assertTrue(cache.free(x));
        assertEquals(x, cache.allocate());
        IllegalStateException e = assertThrows(IllegalStateException.class, cache::allocate);
        assertTrue(e.getMessage().contains("buffer " + x), e.getMessage());
    }

    @Test
    void gaugesFollowAllocations() {
        BufferCache a = pool.newCache(8);
        BufferCache b = pool.newCache(8);
        int[] ten = new int[10];
        assertEquals(10, a.allocate(ten, 0, 10));
        int one = b.allocate();
        assertNotEquals(NO_BUFFER, one);
        assertEquals(11, pool.buffersInUse());
        assertEquals(COUNT - 11, pool.buffersFree());
        b.free(one);
        a.free(ten, 0, 10);
        assertEquals(0, pool.buffersInUse());
        a.close();
        b.close();
        assertEquals(COUNT, pool.buffersInSharedList());
        int[] everything = new int[COUNT];
        try (BufferCache c = pool.newCache()) {
            assertEquals(COUNT, c.allocate(everything, 0, COUNT));
            int[] sorted = everything.clone();
            Arrays.sort(sorted);
            int[] expected = new int[COUNT];
            Arrays.setAll(expected, i -> i);
            assertArrayEquals(expected, sorted);
            c.free(everything, 0, COUNT);
        }
    }
}
