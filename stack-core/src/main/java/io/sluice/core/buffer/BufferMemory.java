package io.sluice.core.buffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Where a {@link BufferPool}'s region comes from. This is the seam that lets a later change back the pool with
 * an mmap'd, memfd or hugepage region (shareable with another process) without touching the pool: such a
 * backing only has to hand out a segment of at least the requested size, aligned to a page, and release it on
 * {@link #close()}.
 */
public interface BufferMemory extends AutoCloseable {

    /** Alignment of the regions made here: a 4 KiB page. */
    long PAGE_SIZE = 4096;

    /** The region; at least as large as requested, alive until {@link #close()}. */
    MemorySegment segment();

    /** Releases the region; the pool calls it once, when it closes. */
    @Override
    void close();

    /** Supplies the memory of a pool whose size is only known once the config is checked. */
    @FunctionalInterface
    interface Allocator {
        /** Returns a region of at least {@code byteSize} bytes, aligned to {@link #PAGE_SIZE}. */
        BufferMemory allocate(long byteSize);
    }

    /** A region in a new shared arena (usable from any thread), closed with the pool. Zero-filled. */
    static BufferMemory allocateShared(long byteSize) {
        Arena arena = Arena.ofShared();
        try {
            return of(arena.allocate(byteSize, PAGE_SIZE), arena::close);
        } catch (RuntimeException | OutOfMemoryError e) {
            arena.close();
            throw e;
        }
    }

    /** A region in an arena the caller owns and closes; closing the pool leaves the arena open. Zero-filled. */
    static BufferMemory allocateIn(Arena arena, long byteSize) {
        return of(arena.allocate(byteSize, PAGE_SIZE), () -> { });
    }

    /** Wraps a segment mapped elsewhere (an mmap'd file, hugepages); {@code release} runs on close. */
    static BufferMemory of(MemorySegment segment, Runnable release) {
        return new BufferMemory() {
            @Override
            public MemorySegment segment() {
                return segment;
            }

            @Override
            public void close() {
                release.run();
            }
        };
    }
}
