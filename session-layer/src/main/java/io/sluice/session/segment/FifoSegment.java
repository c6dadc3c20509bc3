package io.sluice.session.segment;

import io.sluice.core.sys.NativeFd;
import io.sluice.core.sys.SharedMemory;
import io.sluice.core.sys.SyscallException;
import io.sluice.session.fifo.ByteFifo;
import io.sluice.session.fifo.FifoLayout;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One memfd segment of an application, mapped by the stack, carved into equal slots, each holding one
 * {@link FifoPair} (tx FIFO, then rx FIFO with its out-of-order range table).
 *
 * <p><b>Why equal pair slots.</b> An application's FIFO sizes are fixed when it attaches and a session always
 * takes both FIFOs, so one slot per pair is exact: no fragmentation, one compare-and-set per allocation, and a
 * freed slot is reused as is. (Size classes would only pay off if sizes varied per session.)
 *
 * <p><b>Concurrency.</b> Any thread may {@link #allocate} and {@link #free} (stack workers take pairs when a SYN
 * arrives). Free slots form a lock-free stack of slot numbers whose top carries a tag incremented on every change,
 * so a slot popped and pushed back between another thread's read and its compare-and-set cannot fool it (ABA).
 * A separate count of slots in use is reserved before a pop, so a pop always finds a slot, and lets the manager
 * {@link #seal} an empty segment atomically: once sealed, no allocation can reserve in it, so it can be unmapped.
 * Nothing here allocates on the heap.
 */
public final class FifoSegment implements AutoCloseable {

    /** Out-of-order ranges of each rx FIFO. */
    public static final int RX_RANGES = FifoLayout.DEFAULT_MAX_RANGES;

    private static final int SEALED = -1;
    private static final int NONE = -1;

    private final long id;
    private final String name;
    private final NativeFd memfd;
    private final SharedMemory mapping;
    private final long base;
    private final long slotBytes;
    private final FifoPair[] pairs;
    /** The slot below each free slot on the free stack ({@link #NONE} at the bottom). */
    private final AtomicIntegerArray below;
    /** 1 while a slot is handed out: catches a pair freed twice. */
    private final AtomicIntegerArray handedOut;
    /** Top of the free stack: the tag in the high 32 bits, the slot number plus one in the low 32 (0: empty). */
    private final AtomicLong top = new AtomicLong();
    /** Slots reserved or handed out, or {@link #SEALED}. */
    private final AtomicInteger used = new AtomicInteger();

    private FifoSegment(long id, String name, NativeFd memfd, SharedMemory mapping, int slotCount, int txBytes,
            int rxBytes) {
        this.id = id;
        this.name = name;
        this.memfd = memfd;
        this.mapping = mapping;
        this.base = mapping.segment().address();
        this.slotBytes = slotBytes(txBytes, rxBytes);
        this.pairs = new FifoPair[slotCount];
        this.below = new AtomicIntegerArray(slotCount);
        this.handedOut = new AtomicIntegerArray(slotCount);
        long txFootprint = FifoLayout.footprint(txBytes, 0);
        long rxFootprint = FifoLayout.footprint(rxBytes, RX_RANGES);
        MemorySegment memory = mapping.segment();
        for (int slot = slotCount - 1; slot >= 0; slot--) {
            long txOffset = txOffset(slot, txBytes, rxBytes);
            long rxOffset = rxOffset(slot, txBytes, rxBytes);
            ByteFifo tx = ByteFifo.format(memory.asSlice(txOffset, txFootprint), txBytes, 0);
            ByteFifo rx = ByteFifo.format(memory.asSlice(rxOffset, rxFootprint), rxBytes, RX_RANGES);
            pairs[slot] = new FifoPair(this, slot, txOffset, rxOffset, tx, rx);
            push(slot);
        }
    }

    /** Bytes of one slot: a tx FIFO of {@code txBytes} and an rx FIFO of {@code rxBytes}, each 64-byte aligned. */
    public static long slotBytes(int txBytes, int rxBytes) {
        return FifoLayout.footprint(txBytes, 0) + FifoLayout.footprint(rxBytes, RX_RANGES);
    }

    /** Offset in a segment of slot {@code slot}'s tx FIFO, for FIFOs of these sizes: where a peer finds it. */
    public static long txOffset(int slot, int txBytes, int rxBytes) {
        return slot * slotBytes(txBytes, rxBytes);
    }

    /** Offset in a segment of slot {@code slot}'s rx FIFO, which follows its tx FIFO. */
    public static long rxOffset(int slot, int txBytes, int rxBytes) {
        return txOffset(slot, txBytes, rxBytes) + FifoLayout.footprint(txBytes, 0);
    }

    /**
     * Makes a segment of {@code slotCount} pair slots: a sealed memfd of the slots' size rounded up to a page,
     * mapped here, every slot formatted.
     *
     * @param name the memfd's name, shown in /proc/PID/fd
     */
    public static FifoSegment create(long id, String name, int slotCount, int txBytes, int rxBytes)
            throws SyscallException {
        if (slotCount < 1) {
            throw new IllegalArgumentException("a FIFO segment needs at least one slot, not " + slotCount);
        }
        long bytes = align(slotCount * slotBytes(txBytes, rxBytes), SharedMemory.pageSize());
        NativeFd memfd = SegmentFiles.createSealed(name, bytes);
        SharedMemory mapping = null;
        try {
            mapping = SharedMemory.map(memfd, bytes);
            return new FifoSegment(id, name, memfd, mapping, slotCount, txBytes, rxBytes);
        } catch (SyscallException | RuntimeException e) {
            SegmentFiles.closeQuietly(mapping);
            SegmentFiles.closeQuietly(memfd);
            throw e;
        }
    }

    /** The segment's id, as the application knows it. */
    public long id() {
        return id;
    }

    /** The memfd's name. */
    public String name() {
        return name;
    }

    /** The memfd the application maps (it stays owned here). */
    public NativeFd memfd() {
        return memfd;
    }

    /** The segment's size in bytes (a whole number of pages). */
    public long size() {
        return mapping.size();
    }

    /** How many pair slots it has. */
    public int slotCount() {
        return pairs.length;
    }

    /** Bytes of each slot. */
    public long slotBytes() {
        return slotBytes;
    }

    /** Slots handed out (or being handed out) now; 0 once sealed. */
    public int inUse() {
        return Math.max(used.get(), 0);
    }

    /** Whether {@link #seal} succeeded. */
    public boolean isSealed() {
        return used.get() == SEALED;
    }

    /**
     * Hands out a free slot's pair, emptied, or null when every slot is taken or the segment is sealed. Thread-safe,
     * allocation-free.
     */
    public FifoPair allocate() {
        int count;
        do {
            count = used.get();
            if (count == SEALED || count >= pairs.length) {
                return null;
            }
        } while (!used.compareAndSet(count, count + 1));
        int slot = pop();
        if (!handedOut.compareAndSet(slot, 0, 1)) {
            throw new IllegalStateException("slot " + slot + " of FIFO segment " + name + " was on the free list"
                    + " while handed out");
        }
        FifoPair pair = pairs[slot];
        pair.reset();
        return pair;
    }

    /**
     * Takes a pair back. Thread-safe, allocation-free.
     *
     * @return how many slots are still in use after this one
     * @throws IllegalArgumentException if the pair is not from this segment
     * @throws IllegalStateException if it was already freed
     */
    public int free(FifoPair pair) {
        if (pair.segment() != this) {
            throw new IllegalArgumentException(pair + " does not belong to FIFO segment " + name);
        }
        int slot = pair.slot();
        if (!handedOut.compareAndSet(slot, 1, 0)) {
            throw new IllegalStateException(pair + " of FIFO segment " + name + " was freed twice");
        }
        push(slot);
        return used.decrementAndGet();
    }

    /** The pair whose rx FIFO starts at {@code address} in this mapping, or null if none does. */
    FifoPair pairWithRxAt(long address) {
        long offset = address - base;
        if (offset < 0 || offset >= pairs.length * slotBytes) {
            return null;
        }
        FifoPair pair = pairs[(int) (offset / slotBytes)];
        return pair.rx().region().address() == address ? pair : null;
    }

    /**
     * Closes the segment to allocation if no slot is in use; after a true return nothing will touch its memory
     * through this object, so it may be {@link #close closed}.
     */
    public boolean seal() {
        return used.compareAndSet(0, SEALED);
    }

    /** Unmaps the segment and closes its memfd. The application's own mapping stays valid until it unmaps it. */
    @Override
    public void close() {
        SegmentFiles.closeQuietly(mapping);
        SegmentFiles.closeQuietly(memfd);
    }

    private int pop() {
        while (true) {
            long current = top.get();
            int slot = (int) current - 1;
            if (slot == NONE) {
                // Unreachable: a reservation in `used` guarantees a free slot; seeing none means the count is broken.
                throw new IllegalStateException("FIFO segment " + name + " has no free slot after a reservation");
            }
            long next = nextTag(current) | (below.get(slot) + 1L);
            if (top.compareAndSet(current, next)) {
                return slot;
            }
        }
    }

    private void push(int slot) {
        while (true) {
            long current = top.get();
            below.set(slot, (int) current - 1);
            if (top.compareAndSet(current, nextTag(current) | (slot + 1L))) {
                return;
            }
        }
    }

    private static long nextTag(long top) {
        return ((top >>> 32) + 1) << 32;
    }

    private static long align(long value, long alignment) {
        return (value + alignment - 1) / alignment * alignment;
    }

    @Override
    public String toString() {
        return "FIFO segment " + id + " (" + name + ", " + size() + " bytes, " + inUse() + "/" + pairs.length
                + " pairs in use" + (isSealed() ? ", sealed" : "") + ")";
    }
}
