package io.sluice.core.buffer;

import static io.sluice.core.buffer.BufferLayout.CURRENT_LENGTH_OFFSET;
import static io.sluice.core.buffer.BufferLayout.FLAGS_OFFSET;
import static io.sluice.core.buffer.BufferLayout.FLAG_NEXT_PRESENT;
import static io.sluice.core.buffer.BufferLayout.FLAG_TOTAL_LENGTH_VALID;
import static io.sluice.core.buffer.BufferLayout.NEXT_BUFFER_OFFSET;
import static io.sluice.core.buffer.BufferLayout.TOTAL_LENGTH_OFFSET;
import static io.sluice.core.buffer.BufferPool.NO_BUFFER;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * One worker thread's stack of free buffer indices, in front of the pool's shared free list.
 *
 * <p><b>Not thread-safe:</b> a cache belongs to one thread, which alone calls its methods. Buffers themselves
 * may move between workers: a buffer allocated from one cache may be freed into another, provided the index was
 * handed over through something that orders memory (a queue).
 *
 * <p>Allocation pops from the cache; when it is empty, half a cache is refilled from the shared list in one
 * batch. Freeing pushes onto the cache; when it is full, the older half is flushed to the shared list in one
 * batch and the recently freed (cache-warm) half is kept. So the shared list, and its lock, is touched about once
 * every {@code capacity / 2} operations. Nothing here allocates on the Java heap; exhaustion is reported as
 * {@link BufferPool#NO_BUFFER} or a short count, never an exception, and counted in
 * {@link #allocationFailures()}.
 *
 * <p><b>Double frees</b> are always checked: every free reads and flips the buffer's state word
 * ({@link BufferLayout#STATE_OFFSET}), in the metadata line the worker has just used. A free of a buffer that is
 * not allocated is rejected (returns false, the index is not cached) and counted in {@link #doubleFrees()}.
 * Frees of a buffer whose index is out of range throw {@link IndexOutOfBoundsException}.
 *
 * <p>A worker that stops calls {@link #close()}, returning its indices to the shared list.
 */
public final class BufferCache implements AutoCloseable {

    private final BufferPool pool;
    private final MemorySegment region;
    private final SharedFreeList shared;
    private final int[] slots;
    private final int batch;

    /** Indices {@code slots[0, count)} are free; the most recently freed on top. Read by gauges, racily. */
    private int count;
    private long allocationFailures;
    private long doubleFrees;
    private boolean closed;

    BufferCache(BufferPool pool, int capacity) {
        if (capacity < 2 || capacity > BufferPoolConfig.MAX_CACHE_SIZE) {
            throw new IllegalArgumentException(
                    "cache capacity must be between 2 and " + BufferPoolConfig.MAX_CACHE_SIZE + ", got " + capacity);
        }
        this.pool = pool;
        this.region = pool.memory();
        this.shared = pool.freeList();
        this.slots = new int[capacity];
        this.batch = capacity / 2;
    }

    /** The pool this cache takes from. */
    public BufferPool pool() {
        return pool;
    }

    /** How many indices the cache holds at most. */
    public int capacity() {
        return slots.length;
    }

    /** How many free indices the cache holds now. */
    public int cachedCount() {
        return count;
    }

    /** Buffers requested from this cache and not delivered because the pool was exhausted. */
    public long allocationFailures() {
        return allocationFailures;
    }

    /** Frees rejected by this cache because the buffer was not allocated. */
    public long doubleFrees() {
        return doubleFrees;
    }

    // -------------------------------------------------------------------------------------------- allocation

    /**
     * Takes one buffer, with fresh metadata (empty, unchained, data at offset 0 so the whole headroom is
     * available); returns its index, or {@link BufferPool#NO_BUFFER} if the pool is exhausted.
     */
    public int allocate() {
        if (count == 0 && refill() == 0) {
            allocationFailures++;
            return NO_BUFFER;
        }
        int index = slots[--count];
        pool.markAllocated(index);
        return index;
    }

    /**
     * Takes up to {@code n} buffers into {@code dst[offset, offset + n)}; returns how many, fewer than {@code n}
     * only if the pool ran out (the shortfall is counted as failures).
     */
    public int allocate(int[] dst, int offset, int n) {
        Objects.checkFromIndexSize(offset, n, dst.length);
        int done = 0;
        while (done < n) {
            if (count == 0 && refill() == 0) {
                allocationFailures += n - done;
                break;
            }
            int take = Math.min(count, n - done);
            for (int k = 0; k < take; k++) {
                int index = slots[--count];
                pool.markAllocated(index);
                dst[offset + done++] = index;
            }
        }
        return done;
    }

    private int refill() {
        checkOpen();
        int taken = shared.take(slots, count, batch);
        count += taken;
        return taken;
    }

    // --------------------------------------------------------------------------------------------------- free

    /**
     * Returns one buffer (not the rest of its chain: see {@link #freeChain}); returns false, doing nothing but
     * counting it, if the buffer is not allocated.
     */
    public boolean free(int index) {
        if (!pool.markFree(index)) {
            doubleFrees++;
            return false;
        }
        if (count == slots.length) {
            flush();
        }
        slots[count++] = index;
        return true;
    }

    /** Returns the buffers {@code src[offset, offset + n)}; returns how many were freed (double frees are not). */
    public int free(int[] src, int offset, int n) {
        Objects.checkFromIndexSize(offset, n, src.length);
        int freed = 0;
        for (int k = 0; k < n; k++) {
            if (free(src[offset + k])) {
                freed++;
            }
        }
        return freed;
    }

    /**
     * Returns every buffer of the chain starting at {@code head}, following the next pointers; returns how many
     * were freed. The walk stops at a buffer that is already free (counted as a double free), whose next pointer
     * can no longer be trusted; so a looping chain ends too.
     */
    public int freeChain(int head) {
        int freed = 0;
        int index = head;
        while (index != NO_BUFFER) {
            long base = pool.bufferOffset(index);
            int next = (region.get(JAVA_INT, base + FLAGS_OFFSET) & FLAG_NEXT_PRESENT) != 0
                    ? region.get(JAVA_INT, base + NEXT_BUFFER_OFFSET) : NO_BUFFER;
            if (!free(index)) {
                break;
            }
            freed++;
            index = next;
        }
        return freed;
    }

    private void flush() {
        checkOpen();
        shared.put(slots, 0, batch);
        System.arraycopy(slots, batch, slots, 0, count - batch);
        count -= batch;
    }

    /** Returns every cached index to the shared list (for instance before a worker sleeps for long). */
    public void flushAll() {
        checkOpen();
        shared.put(slots, 0, count);
        count = 0;
    }

    /** Returns every cached index to the shared list and detaches the cache from the pool. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        flushAll();
        closed = true;
        pool.retire(this);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("buffer cache is closed");
        }
    }

    // ----------------------------------------------------------------------------------------- chain copy-in

    /**
     * Copies {@code length} bytes of {@code src} from {@code srcOffset} into a new chain of as many buffers as
     * needed (at least one, even for 0 bytes), each filled from data offset 0; returns the head, with its total
     * length cached, or {@link BufferPool#NO_BUFFER} if the pool ran out, in which case every buffer taken was
     * freed again (all or nothing) and one failure counted.
     */
    public int copyIn(MemorySegment src, long srcOffset, int length) {
        Objects.checkFromIndexSize(srcOffset, length, src.byteSize());
        return copyIn(src, null, srcOffset, length);
    }

    /** As {@link #copyIn(MemorySegment, long, int)}, from a byte array. */
    public int copyIn(byte[] src, int srcOffset, int length) {
        Objects.checkFromIndexSize(srcOffset, length, src.length);
        return copyIn(null, src, srcOffset, length);
    }

    /** Copies from {@code segment} if not null, else from {@code array}. */
    private int copyIn(MemorySegment segment, byte[] array, long srcOffset, int length) {
        int dataSize = pool.dataSize();
        int head = allocate();
        if (head == NO_BUFFER) {
            return NO_BUFFER;
        }
        int last = NO_BUFFER;
        int index = head;
        int copied = 0;
        while (true) {
            int n = Math.min(dataSize, length - copied);
            long dst = pool.dataOffset(index);
            if (segment != null) {
                MemorySegment.copy(segment, srcOffset + copied, region, dst, n);
            } else {
                MemorySegment.copy(array, (int) srcOffset + copied, region, JAVA_BYTE, dst, n);
            }
            region.set(JAVA_INT, pool.bufferOffset(index) + CURRENT_LENGTH_OFFSET, n);
            if (last != NO_BUFFER) {
                long lastBase = pool.bufferOffset(last);
                region.set(JAVA_INT, lastBase + NEXT_BUFFER_OFFSET, index);
                region.set(JAVA_INT, lastBase + FLAGS_OFFSET, FLAG_NEXT_PRESENT);
            }
            copied += n;
            if (copied == length) {
                break;
            }
            last = index;
            index = allocate();
            if (index == NO_BUFFER) {
                // All or nothing: the one failed allocate() was counted; give back what was taken.
                freeChain(head);
                return NO_BUFFER;
            }
        }
        long headBase = pool.bufferOffset(head);
        region.set(JAVA_INT, headBase + TOTAL_LENGTH_OFFSET, length - pool.currentLength(head));
        region.set(JAVA_INT, headBase + FLAGS_OFFSET,
                region.get(JAVA_INT, headBase + FLAGS_OFFSET) | FLAG_TOTAL_LENGTH_VALID);
        return head;
    }
}
