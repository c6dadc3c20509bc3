package io.sluice.core.buffer;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class BufferPoolLayoutTest {

    @Test
    void everyBufferLiesInsideTheRegionWithoutOverlap() {
        BufferPoolConfig config = new BufferPoolConfig(1000, 2048, 128, 16);
        try (BufferPool pool = BufferPool.create(config)) {
            MemorySegment memory = pool.memory();
            assertEquals(config.regionSize(), memory.byteSize());
            assertEquals(0, memory.address() % BufferMemory.PAGE_SIZE, "region is page aligned");
            long previousEnd = 0;
            for (int i = 0; i < pool.bufferCount(); i++) {
                long start = pool.bufferOffset(i);
                long end = start + pool.stride();
                assertTrue(start >= previousEnd, "buffer " + i + " starts after buffer " + (i - 1) + " ends");
                assertTrue(end <= memory.byteSize(), "buffer " + i + " ends inside the region");
                assertEquals(0, (memory.address() + start) % BufferLayout.CACHE_LINE_SIZE, "line aligned");
                previousEnd = end;
            }
            assertThrows(IndexOutOfBoundsException.class, () -> pool.bufferOffset(1000));
            assertThrows(IndexOutOfBoundsException.class, () -> pool.bufferOffset(BufferPool.NO_BUFFER));
        }
    }

    @Test
    void fillingEveryDataAreaLeavesEveryOtherBufferIntact() {
        BufferPoolConfig config = new BufferPoolConfig(64, 1500, 64, 8);
        try (BufferPool pool = BufferPool.create(config); BufferCache cache = pool.newCache()) {
            int[] all = new int[64];
            assertEquals(64, cache.allocate(all, 0, 64));
            MemorySegment memory = pool.memory();
            for (int i : all) {
                // The data area runs from the start of the headroom (fully prepended) to dataSize.
                pool.advance(i, -pool.headroom());
                pool.setCurrentLength(i, pool.headroom() + pool.dataSize());
                long start = pool.dataOffset(i);
                assertEquals(pool.bufferOffset(i) + BufferLayout.HEADER_SIZE, start);
                memory.asSlice(start, pool.currentLength(i)).fill((byte) i);
            }
            for (int i : all) {
                assertTrue(pool.isAllocated(i), "metadata of " + i + " survived its neighbours' fills");
                assertEquals(-pool.headroom(), pool.currentData(i));
                assertEquals(pool.headroom() + pool.dataSize(), pool.currentLength(i));
                long start = pool.dataOffset(i);
                for (long b = 0; b < pool.currentLength(i); b++) {
                    if (memory.get(JAVA_BYTE, start + b) != (byte) i) {
                        throw new AssertionError("byte " + b + " of buffer " + i + " overwritten");
                    }
                }
            }
            assertEquals(64, cache.free(all, 0, 64));
        }
    }

    @Test
    void regionCanComeFromACallerArena() {
        try (Arena arena = Arena.ofConfined()) {
            BufferPoolConfig config = new BufferPoolConfig(4, 2048, 128, 2);
            BufferPool pool = BufferPool.create(config, size -> BufferMemory.allocateIn(arena, size));
            assertEquals(config.regionSize(), pool.memory().byteSize());
            pool.close();
            // The pool does not own the caller's arena.
            assertTrue(arena.scope().isAlive());
        }
    }

    @Test
    void closingThePoolReleasesItsOwnRegion() {
        BufferPool pool = BufferPool.create(new BufferPoolConfig(4, 2048, 128, 2));
        MemorySegment memory = pool.memory();
        pool.close();
        assertFalse(memory.scope().isAlive());
    }

    @Test
    void tooSmallMemoryIsRejected() {
        try (Arena arena = Arena.ofConfined()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> BufferPool.create(new BufferPoolConfig(4, 2048, 128, 2),
                            size -> BufferMemory.allocateIn(arena, size - 1)));
            assertTrue(e.getMessage().contains("8959 bytes is smaller than the region of 8960"), e.getMessage());
        }
    }
}
