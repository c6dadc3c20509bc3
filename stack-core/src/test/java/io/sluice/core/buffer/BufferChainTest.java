package io.sluice.core.buffer;

import static io.sluice.core.buffer.BufferPool.NO_BUFFER;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BufferChainTest {

    private static final int COUNT = 128;

    private final BufferPool pool = BufferPool.create(new BufferPoolConfig(COUNT, 2048, 128, 16));
    private final BufferCache cache = pool.newCache();

    @AfterEach
    void close() {
        pool.close();
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] bytes = new byte[n];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2047, 2048, 2049, 4096, 100000})
    void byteArrayRoundTrip(int size) {
        byte[] src = randomBytes(size + 10, size);
        int head = cache.copyIn(src, 5, size);
        assertNotEquals(NO_BUFFER, head);
        int expectedBuffers = Math.max(1, (size + 2047) / 2048);
        assertEquals(expectedBuffers, pool.chainBufferCount(head));
        assertEquals(expectedBuffers, pool.buffersInUse());
        assertEquals(size, pool.chainLength(head));
        assertTrue((pool.flags(head) & BufferLayout.FLAG_TOTAL_LENGTH_VALID) != 0);
        // Every buffer but the last is full.
        int i = head;
        for (int k = 1; k < expectedBuffers; k++) {
            assertEquals(2048, pool.currentLength(i));
            i = pool.nextBuffer(i);
        }
        assertEquals(NO_BUFFER, pool.nextBuffer(i));
        assertEquals(size - 2048 * (expectedBuffers - 1), pool.currentLength(i));

        byte[] dst = new byte[size + 3];
        assertEquals(size, pool.copyOut(head, dst, 3));
        assertArrayEquals(Arrays.copyOfRange(src, 5, 5 + size), Arrays.copyOfRange(dst, 3, 3 + size));
        assertThrows(IndexOutOfBoundsException.class, () -> pool.copyOut(head, new byte[size + 3], 4));

        assertEquals(expectedBuffers, cache.freeChain(head));
        assertEquals(0, pool.buffersInUse());
        assertEquals(0, cache.doubleFrees());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2048, 2049, 100000})
    void segmentRoundTrip(int size) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate(size + 7);
            MemorySegment.copy(randomBytes(size + 7, ~size), 0, src, JAVA_BYTE, 0, size + 7);
            int head = cache.copyIn(src, 7, size);
            assertNotEquals(NO_BUFFER, head);
            assertEquals(size, pool.chainLength(head));

            MemorySegment dst = arena.allocate(size + 1);
            dst.fill((byte) 0x5a);
            assertEquals(size, pool.copyOut(head, dst, 1));
            assertEquals(-1L, dst.asSlice(1, size).mismatch(src.asSlice(7, size)), "content differs");
            assertEquals((byte) 0x5a, dst.get(JAVA_BYTE, 0));
            cache.freeChain(head);
            assertEquals(0, pool.buffersInUse());
        }
    }

    @Test
    void copyInIsAllOrNothingOnExhaustion() {
        int[] held = new int[COUNT - 3];
        assertEquals(held.length, cache.allocate(held, 0, held.length));
        byte[] src = randomBytes(4 * 2048, 1);
        assertEquals(NO_BUFFER, cache.copyIn(src, 0, src.length), "needs 4 buffers, 3 left");
        assertEquals(COUNT - 3, pool.buffersInUse(), "the 3 taken were given back");
        assertEquals(1, cache.allocationFailures());
        assertEquals(0, cache.doubleFrees());

        int head = cache.copyIn(src, 0, 3 * 2048);
        assertNotEquals(NO_BUFFER, head, "3 buffers fit exactly");
        assertEquals(COUNT, pool.buffersInUse());
        assertEquals(NO_BUFFER, cache.copyIn(src, 0, 0), "even an empty packet needs a buffer");
        assertEquals(3, cache.freeChain(head));
        assertEquals(held.length, cache.free(held, 0, held.length));
        assertEquals(0, pool.buffersInUse());
    }

    @Test
    void appendBuildsAChainAndKeepsTheCachedLength() {
        int head = cache.allocate();
        pool.setCurrentLength(head, 100);
        int second = cache.allocate();
        pool.setCurrentLength(second, 200);
        // No cached total yet: chainAppend leaves it to chainLength, which walks and caches.
        assertEquals(second, pool.chainAppend(head, head, second));
        assertEquals(300, pool.chainLength(head));
        assertTrue((pool.flags(head) & BufferLayout.FLAG_TOTAL_LENGTH_VALID) != 0);
        assertEquals(200, pool.totalLengthNotIncludingFirst(head));

        // Appending a two-buffer chain adds its whole length and returns its last buffer.
        int third = cache.allocate();
        pool.setCurrentLength(third, 30);
        int fourth = cache.allocate();
        pool.setCurrentLength(fourth, 4);
        pool.chainAppend(third, third, fourth);
        assertEquals(fourth, pool.chainAppend(head, second, third));
        assertEquals(334, pool.chainLength(head));
        assertEquals(4, pool.chainBufferCount(head));
        assertEquals(fourth, pool.lastOfChain(head));

        // The cached value is what chainLength trusts; clearing the flag makes it walk again.
        pool.setCurrentLength(fourth, 5);
        assertEquals(334, pool.chainLength(head));
        pool.setFlags(head, pool.flags(head) & ~BufferLayout.FLAG_TOTAL_LENGTH_VALID);
        assertEquals(335, pool.chainLength(head));

        byte[] out = new byte[335];
        assertEquals(335, pool.copyOut(head, out, 0));
        assertEquals(4, cache.freeChain(head));
        assertEquals(0, pool.buffersInUse());
    }

    @Test
    void freeChainReturnsEveryBufferAndStopsAtAFreedOne() {
        int head = cache.copyIn(new byte[5 * 2048], 0, 5 * 2048);
        int third = pool.nextBuffer(pool.nextBuffer(head));
        assertTrue(cache.free(third), "a bug frees a middle buffer on its own");
        assertEquals(2, cache.freeChain(head), "the walk stops at the freed buffer");
        assertEquals(1, cache.doubleFrees());
        // The two buffers after the freed one leak, and the gauges show it.
        assertEquals(2, pool.buffersInUse());
    }

    @Test
    void loopingChainIsReportedNotWalkedForever() {
        int a = cache.allocate();
        int b = cache.allocate();
        pool.chainAppend(a, a, b);
        pool.setFlags(b, pool.flags(b) | BufferLayout.FLAG_NEXT_PRESENT);
        pool.memory().set(JAVA_INT, pool.bufferOffset(b)
                + BufferLayout.NEXT_BUFFER_OFFSET, a);
        pool.setFlags(a, pool.flags(a) & ~BufferLayout.FLAG_TOTAL_LENGTH_VALID);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.chainLength(a));
        assertTrue(e.getMessage().contains("loops"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> pool.chainBufferCount(a));
        // Freeing ends too: the second visit of a finds it free.
        assertEquals(2, cache.freeChain(a));
        assertEquals(1, cache.doubleFrees());
        assertEquals(0, pool.buffersInUse());
    }
}
