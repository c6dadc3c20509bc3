package io.sluice.core.buffer;

import static io.sluice.core.buffer.BufferLayout.CURRENT_DATA_OFFSET;
import static io.sluice.core.buffer.BufferLayout.CURRENT_LENGTH_OFFSET;
import static io.sluice.core.buffer.BufferLayout.FLAGS_OFFSET;
import static io.sluice.core.buffer.BufferLayout.FLAG_NEXT_PRESENT;
import static io.sluice.core.buffer.BufferLayout.FLAG_TOTAL_LENGTH_VALID;
import static io.sluice.core.buffer.BufferLayout.HEADER_SIZE;
import static io.sluice.core.buffer.BufferLayout.NEXT_BUFFER_OFFSET;
import static io.sluice.core.buffer.BufferLayout.OPAQUE_OFFSET;
import static io.sluice.core.buffer.BufferLayout.REF_COUNT_OFFSET;
import static io.sluice.core.buffer.BufferLayout.RESERVED_OFFSET;
import static io.sluice.core.buffer.BufferLayout.RX_INTERFACE_OFFSET;
import static io.sluice.core.buffer.BufferLayout.STATE_ALLOCATED;
import static io.sluice.core.buffer.BufferLayout.STATE_FREE;
import static io.sluice.core.buffer.BufferLayout.STATE_OFFSET;
import static io.sluice.core.buffer.BufferLayout.TOTAL_LENGTH_OFFSET;
import static io.sluice.core.buffer.BufferLayout.TX_INTERFACE_OFFSET;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The process's packet buffers: one off-heap region cut into {@link BufferPoolConfig#bufferCount()} buffers of
 * {@link BufferPoolConfig#stride()} bytes, each named by its {@code int} index. See {@link BufferLayout} for what a
 * buffer holds.
 *
 * <p>Buffers are taken and returned through a {@link BufferCache} per worker thread ({@link #newCache()}); the
 * pool itself holds the shared free list behind those caches. The metadata accessors here take an index and read
 * or write the region directly: they allocate nothing, may be called from any thread that currently owns the
 * buffer, and are not synchronized (a buffer has one owner at a time).
 *
 * <p>Every accessor checks that the index is in {@code [0, bufferCount)} and throws
 * {@link IndexOutOfBoundsException} otherwise; they do not check that the buffer is allocated.
 */
public final class BufferPool implements AutoCloseable {

    /** The index no buffer has: returned when the pool is exhausted, and the end of a chain. */
    public static final int NO_BUFFER = -1;

    /** Interface index of a freshly allocated buffer: no interface yet. */
    public static final int NO_INTERFACE = -1;

    private final BufferPoolConfig config;
    private final BufferMemory memory;
    private final MemorySegment region;
    private final long stride;
    private final int bufferCount;
    private final int headroom;
    private final int dataSize;
    private final SharedFreeList freeList;
    private final List<BufferCache> caches = new CopyOnWriteArrayList<>();
    private final AtomicLong retiredAllocationFailures = new AtomicLong();
    private final AtomicLong retiredDoubleFrees = new AtomicLong();

    private BufferPool(BufferPoolConfig config, BufferMemory memory) {
        this.config = config;
        this.memory = memory;
        long size = config.regionSize();
        MemorySegment segment = memory.segment();
        if (segment.byteSize() < size) {
            throw new IllegalArgumentException(
                    "buffer memory of " + segment.byteSize() + " bytes is smaller than the region of " + size);
        }
        if (segment.address() % BufferLayout.CACHE_LINE_SIZE != 0) {
            throw new IllegalArgumentException(
                    "buffer memory at 0x" + Long.toHexString(segment.address()) + " is not cache-line aligned");
        }
        this.region = segment.asSlice(0, size);
        this.stride = config.stride();
        this.bufferCount = config.bufferCount();
        this.headroom = config.headroom();
        this.dataSize = config.dataSize();
        for (int i = 0; i < bufferCount; i++) {
            region.set(JAVA_INT, i * stride + STATE_OFFSET, STATE_FREE);
        }
        this.freeList = new SharedFreeList(bufferCount);
    }

    /** A pool whose region is allocated in a new shared arena, released by {@link #close()}. */
    public static BufferPool create(BufferPoolConfig config) {
        return create(config, BufferMemory::allocateShared);
    }

    /** A pool whose region comes from {@code allocator} (an arena, later an mmap'd or hugepage region). */
    public static BufferPool create(BufferPoolConfig config, BufferMemory.Allocator allocator) {
        BufferMemory memory = allocator.allocate(config.regionSize());
        try {
            return new BufferPool(config, memory);
        } catch (RuntimeException e) {
            memory.close();
            throw e;
        }
    }

    /** A new cache of {@link BufferPoolConfig#cacheSize()} indices for one worker thread. */
    public BufferCache newCache() {
        return newCache(config.cacheSize());
    }

    /** A new cache of {@code capacity} indices (at least 2) for one worker thread. */
    public BufferCache newCache(int capacity) {
        BufferCache cache = new BufferCache(this, capacity);
        caches.add(cache);
        return cache;
    }

    // ---------------------------------------------------------------------------------------------- geometry

    /** The config the pool was built from. */
    public BufferPoolConfig config() {
        return config;
    }

    /** The whole region: buffer {@code i} is bytes {@code [bufferOffset(i), bufferOffset(i) + stride)}. */
    public MemorySegment memory() {
        return region;
    }

    /** Number of buffers. */
    public int bufferCount() {
        return bufferCount;
    }

    /** Bytes from one buffer to the next: an odd number of cache lines. */
    public int stride() {
        return (int) stride;
    }

    /** Bytes of data per buffer. */
    public int dataSize() {
        return dataSize;
    }

    /** Bytes of headroom before each buffer's data area. */
    public int headroom() {
        return headroom;
    }

    /** Offset in {@link #memory()} of buffer {@code index}'s metadata (its first byte). */
    public long bufferOffset(int index) {
        return Objects.checkIndex(index, bufferCount) * stride;
    }

    /** Offset in {@link #memory()} of buffer {@code index}'s current data start. */
    public long dataOffset(int index) {
        long base = bufferOffset(index);
        return base + HEADER_SIZE + headroom + region.get(JAVA_INT, base + CURRENT_DATA_OFFSET);
    }

    /** Native address of buffer {@code index}'s current data start (for a syscall or a device). */
    public long dataAddress(int index) {
        return region.address() + dataOffset(index);
    }

    /** Offset in {@link #memory()} of buffer {@code index}'s opaque area of {@link BufferLayout#OPAQUE_SIZE}. */
    public long opaqueOffset(int index) {
        return bufferOffset(index) + OPAQUE_OFFSET;
    }

    // ---------------------------------------------------------------------------------------------- metadata

    /** The flags word. */
    public int flags(int index) {
        return region.get(JAVA_INT, bufferOffset(index) + FLAGS_OFFSET);
    }

    /** Replaces the flags word; keep the pool's bits ({@link BufferLayout#FLAG_NEXT_PRESENT}...) consistent. */
    public void setFlags(int index, int flags) {
        region.set(JAVA_INT, bufferOffset(index) + FLAGS_OFFSET, flags);
    }

    /** Start of valid data relative to the data area: from {@code -headroom} to {@code dataSize}. */
    public int currentData(int index) {
        return region.get(JAVA_INT, bufferOffset(index) + CURRENT_DATA_OFFSET);
    }

    /** Number of valid bytes in this buffer. */
    public int currentLength(int index) {
        return region.get(JAVA_INT, bufferOffset(index) + CURRENT_LENGTH_OFFSET);
    }

    /**
     * Sets the number of valid bytes from the current data start.
     *
     * @throws IndexOutOfBoundsException if {@code length} is negative or runs past the end of the data area
     */
    public void setCurrentLength(int index, int length) {
        long base = bufferOffset(index);
        int data = region.get(JAVA_INT, base + CURRENT_DATA_OFFSET);
        if (length < 0 || length > dataSize - data) {
            throw new IndexOutOfBoundsException("buffer " + index + ": length " + length + " at data offset " + data
                    + " does not fit in [0, " + (dataSize - data) + "]");
        }
        region.set(JAVA_INT, base + CURRENT_LENGTH_OFFSET, length);
    }

    /**
     * Moves the data start by {@code delta} bytes keeping the data end: a positive delta strips that many bytes
     * from the front (a parsed header), a negative one prepends room for a header into the headroom.
     *
     * @throws IndexOutOfBoundsException if more bytes would be stripped than the buffer holds, or the data start
     *     would move before the headroom
     */
    public void advance(int index, int delta) {
        long base = bufferOffset(index);
        int data = region.get(JAVA_INT, base + CURRENT_DATA_OFFSET);
        int length = region.get(JAVA_INT, base + CURRENT_LENGTH_OFFSET);
        if (delta > length || (long) data + delta < -headroom) {
            throw new IndexOutOfBoundsException("buffer " + index + ": cannot advance by " + delta + " with data at "
                    + data + ", length " + length + " and headroom " + headroom);
        }
        region.set(JAVA_INT, base + CURRENT_DATA_OFFSET, data + delta);
        region.set(JAVA_INT, base + CURRENT_LENGTH_OFFSET, length - delta);
    }

    /** Bytes that can still be prepended: from the headroom's start to the current data start. */
    public int prependSpace(int index) {
        return currentData(index) + headroom;
    }

    /** Bytes that can still be appended: from the current data end to the end of the data area. */
    public int appendSpace(int index) {
        long base = bufferOffset(index);
        return dataSize - region.get(JAVA_INT, base + CURRENT_DATA_OFFSET)
                - region.get(JAVA_INT, base + CURRENT_LENGTH_OFFSET);
    }

    /** The next buffer of the chain, or {@link #NO_BUFFER} if this one is the last. */
    public int nextBuffer(int index) {
        long base = bufferOffset(index);
        if ((region.get(JAVA_INT, base + FLAGS_OFFSET) & FLAG_NEXT_PRESENT) == 0) {
            return NO_BUFFER;
        }
        return region.get(JAVA_INT, base + NEXT_BUFFER_OFFSET);
    }

    /** The cached length of the chain after this head buffer; meaningful with {@code FLAG_TOTAL_LENGTH_VALID}. */
    public int totalLengthNotIncludingFirst(int index) {
        return region.get(JAVA_INT, bufferOffset(index) + TOTAL_LENGTH_OFFSET);
    }

    /** The reference count: 1 on allocation. Reserved for cloning; {@link BufferCache#free} ignores it today. */
    public int refCount(int index) {
        return region.get(JAVA_INT, bufferOffset(index) + REF_COUNT_OFFSET);
    }

    /** Sets the reference count. */
    public void setRefCount(int index, int count) {
        region.set(JAVA_INT, bufferOffset(index) + REF_COUNT_OFFSET, count);
    }

    /** Index of the interface the packet arrived on, {@link #NO_INTERFACE} until set. */
    public int rxInterface(int index) {
        return region.get(JAVA_INT, bufferOffset(index) + RX_INTERFACE_OFFSET);
    }

    /** Sets the index of the interface the packet arrived on. */
    public void setRxInterface(int index, int interfaceIndex) {
        region.set(JAVA_INT, bufferOffset(index) + RX_INTERFACE_OFFSET, interfaceIndex);
    }

    /** Index of the interface the packet leaves by, {@link #NO_INTERFACE} until set. */
    public int txInterface(int index) {
        return region.get(JAVA_INT, bufferOffset(index) + TX_INTERFACE_OFFSET);
    }

    /** Sets the index of the interface the packet leaves by. */
    public void setTxInterface(int index, int interfaceIndex) {
        region.set(JAVA_INT, bufferOffset(index) + TX_INTERFACE_OFFSET, interfaceIndex);
    }

    /** Whether the buffer is handed out (not in a cache or the shared free list). */
    public boolean isAllocated(int index) {
        return region.get(JAVA_INT, bufferOffset(index) + STATE_OFFSET) == STATE_ALLOCATED;
    }

    // ------------------------------------------------------------------------------------------------ chains

    /**
     * Links the chain starting at {@code next} after {@code last}, the last buffer of the chain headed by
     * {@code head} (which may be {@code last} itself), and returns the new last buffer. If the head caches its
     * total length ({@code FLAG_TOTAL_LENGTH_VALID}) the appended bytes are added to it, counted as they are now:
     * whoever later changes the length of a buffer other than the head must update or clear that flag.
     */
    public int chainAppend(int head, int last, int next) {
        long lastBase = bufferOffset(last);
        int appended = chainLength(next);
        int newLast = lastOfChain(next);
        region.set(JAVA_INT, lastBase + NEXT_BUFFER_OFFSET, next);
        region.set(JAVA_INT, lastBase + FLAGS_OFFSET, region.get(JAVA_INT, lastBase + FLAGS_OFFSET)
                | FLAG_NEXT_PRESENT);
        long headBase = bufferOffset(head);
        if ((region.get(JAVA_INT, headBase + FLAGS_OFFSET) & FLAG_TOTAL_LENGTH_VALID) != 0) {
            int total = region.get(JAVA_INT, headBase + TOTAL_LENGTH_OFFSET);
            region.set(JAVA_INT, headBase + TOTAL_LENGTH_OFFSET, Math.addExact(total, appended));
        }
        return newLast;
    }

    /**
     * Bytes in the whole chain starting at {@code head}. Uses the head's cached total when
     * {@code FLAG_TOTAL_LENGTH_VALID} is set; otherwise walks the chain and caches the result on the head.
     *
     * @throws IllegalStateException if the chain loops
     * @throws ArithmeticException if the chain holds more than {@code Integer.MAX_VALUE} bytes
     */
    public int chainLength(int head) {
        long base = bufferOffset(head);
        int flags = region.get(JAVA_INT, base + FLAGS_OFFSET);
        int first = region.get(JAVA_INT, base + CURRENT_LENGTH_OFFSET);
        if ((flags & FLAG_NEXT_PRESENT) == 0) {
            return first;
        }
        if ((flags & FLAG_TOTAL_LENGTH_VALID) != 0) {
            return first + region.get(JAVA_INT, base + TOTAL_LENGTH_OFFSET);
        }
        long rest = 0;
        int hops = 0;
        for (int i = region.get(JAVA_INT, base + NEXT_BUFFER_OFFSET); i != NO_BUFFER; i = nextBuffer(i)) {
            checkHops(head, ++hops);
            rest += currentLength(i);
        }
        int total = Math.toIntExact(first + rest);
        region.set(JAVA_INT, base + TOTAL_LENGTH_OFFSET, (int) rest);
        region.set(JAVA_INT, base + FLAGS_OFFSET, flags | FLAG_TOTAL_LENGTH_VALID);
        return total;
    }

    /** Number of buffers in the chain starting at {@code head}. */
    public int chainBufferCount(int head) {
        int n = 1;
        for (int i = nextBuffer(head); i != NO_BUFFER; i = nextBuffer(i)) {
            checkHops(head, n++);
        }
        return n;
    }

    /** The last buffer of the chain starting at {@code head}. */
    public int lastOfChain(int head) {
        int last = head;
        int hops = 0;
        for (int i = nextBuffer(head); i != NO_BUFFER; i = nextBuffer(i)) {
            checkHops(head, ++hops);
            last = i;
        }
        return last;
    }

    /**
     * Copies the valid bytes of the chain starting at {@code head} to {@code dst} from {@code dstOffset};
     * returns the number of bytes copied. Nothing is copied if they do not fit.
     *
     * @throws IndexOutOfBoundsException if {@code dst} has less than the chain's length from {@code dstOffset}
     */
    public int copyOut(int head, MemorySegment dst, long dstOffset) {
        int length = chainLength(head);
        Objects.checkFromIndexSize(dstOffset, length, dst.byteSize());
        long at = dstOffset;
        for (int i = head; i != NO_BUFFER; i = nextBuffer(i)) {
            int n = currentLength(i);
            MemorySegment.copy(region, dataOffset(i), dst, at, n);
            at += n;
        }
        return length;
    }

    /**
     * Copies the valid bytes of the chain starting at {@code head} to {@code dst} from {@code dstOffset};
     * returns the number of bytes copied. Nothing is copied if they do not fit.
     *
     * @throws IndexOutOfBoundsException if {@code dst} has less than the chain's length from {@code dstOffset}
     */
    public int copyOut(int head, byte[] dst, int dstOffset) {
        int length = chainLength(head);
        Objects.checkFromIndexSize(dstOffset, length, dst.length);
        int at = dstOffset;
        for (int i = head; i != NO_BUFFER; i = nextBuffer(i)) {
            int n = currentLength(i);
            MemorySegment.copy(region, JAVA_BYTE, dataOffset(i), dst, at, n);
            at += n;
        }
        return length;
    }

    private void checkHops(int head, int hops) {
        if (hops >= bufferCount) {
            throw new IllegalStateException("chain starting at buffer " + head + " loops: more than "
                    + bufferCount + " links");
        }
    }

    // ------------------------------------------------------------------------------------------------ gauges

    /**
     * Free buffers: in the shared free list plus in every open cache. Exact when no other thread is allocating
     * or freeing (for instance once the caches are flushed); otherwise approximate, since each cache's count is
     * read without synchronization while its worker runs.
     */
    public int buffersFree() {
        long free = freeList.size();
        for (int i = 0; i < caches.size(); i++) {
            free += caches.get(i).cachedCount();
        }
        return (int) Math.min(free, bufferCount);
    }

    /** Buffers handed out: {@code bufferCount - buffersFree()}, with the same accuracy. */
    public int buffersInUse() {
        return bufferCount - buffersFree();
    }

    /** Free buffers in the shared free list only: exact. */
    public int buffersInSharedList() {
        return freeList.size();
    }

    /** Buffers requested from any cache and not delivered, since the pool was made (approximate while running). */
    public long allocationFailures() {
        long n = retiredAllocationFailures.get();
        for (int i = 0; i < caches.size(); i++) {
            n += caches.get(i).allocationFailures();
        }
        return n;
    }

    /** Frees rejected because the buffer was not allocated, since the pool was made (approximate while running). */
    public long doubleFrees() {
        long n = retiredDoubleFrees.get();
        for (int i = 0; i < caches.size(); i++) {
            n += caches.get(i).doubleFrees();
        }
        return n;
    }

    /** Releases the region. Every buffer index and cache becomes unusable. */
    @Override
    public void close() {
        caches.clear();
        memory.close();
    }

    // ------------------------------------------------------------------------------------- for BufferCache

    SharedFreeList freeList() {
        return freeList;
    }

    /**
     * Marks a buffer taken from a cache as allocated and resets its metadata to an empty, unchained buffer
     * with no interfaces and a zeroed opaque area. The read of the state costs nothing extra (the line is being
     * written) and catches an index present twice in the free lists, left by racing double frees.
     */
    void markAllocated(int index) {
        long base = index * stride;
        if (region.get(JAVA_INT, base + STATE_OFFSET) != STATE_FREE) {
            throw new IllegalStateException("buffer " + index + " was handed out while not free: the free lists "
                    + "held it twice (buffers freed twice concurrently?)");
        }
        region.set(JAVA_INT, base + FLAGS_OFFSET, 0);
        region.set(JAVA_INT, base + CURRENT_DATA_OFFSET, 0);
        region.set(JAVA_INT, base + CURRENT_LENGTH_OFFSET, 0);
        region.set(JAVA_INT, base + NEXT_BUFFER_OFFSET, NO_BUFFER);
        region.set(JAVA_INT, base + TOTAL_LENGTH_OFFSET, 0);
        region.set(JAVA_INT, base + REF_COUNT_OFFSET, 1);
        region.set(JAVA_INT, base + RX_INTERFACE_OFFSET, NO_INTERFACE);
        region.set(JAVA_INT, base + TX_INTERFACE_OFFSET, NO_INTERFACE);
        region.set(JAVA_INT, base + STATE_OFFSET, STATE_ALLOCATED);
        region.set(JAVA_INT, base + RESERVED_OFFSET, 0);
        region.set(JAVA_LONG, base + OPAQUE_OFFSET, 0L);
        region.set(JAVA_LONG, base + OPAQUE_OFFSET + 8, 0L);
        region.set(JAVA_LONG, base + OPAQUE_OFFSET + 16, 0L);
    }

    /**
     * Marks an allocated buffer free; returns false, changing nothing, if it was not allocated (a double free).
     * A plain read and write: this catches every double free ordered after the first free (same thread, or a
     * thread the buffer was handed to), not two threads freeing the same buffer at the same instant; that race
     * is caught later by {@link #markAllocated}.
     */
    boolean markFree(int index) {
        long base = bufferOffset(index);
        if (region.get(JAVA_INT, base + STATE_OFFSET) != STATE_ALLOCATED) {
            return false;
        }
        region.set(JAVA_INT, base + STATE_OFFSET, STATE_FREE);
        return true;
    }

    /** A cache closed: keep its counters and stop counting its indices. */
    void retire(BufferCache cache) {
        caches.remove(cache);
        retiredAllocationFailures.addAndGet(cache.allocationFailures());
        retiredDoubleFrees.addAndGet(cache.doubleFrees());
    }
}
