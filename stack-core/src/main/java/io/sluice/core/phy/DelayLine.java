package io.sluice.core.phy;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.buffer.BufferLayout;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.wire.Tcp;
import java.lang.foreign.MemorySegment;

/**
 * One direction of an impaired link: a {@link FaultInjector} decides each frame's fate (lost, delayed, reordered,
 * duplicated, corrupted, rate-limited) and the frame waits, copied into a preallocated slot, in a min-heap ordered by
 * (delivery time, sequence) until {@link #takeDue}. Used by the {@link InMemoryWire} between two stacks and by
 * {@link ImpairedDevice} in front of a real device. Nothing is allocated per frame; not thread-safe.
 *
 * <p>A frame keeps its checksum-offload flags across the line ({@code FLAG_L4_CHECKSUM_PARTIAL} towards a device
 * that completes it, {@code FLAG_L4_CHECKSUM_VERIFIED} towards the stack) unless the injector corrupts it: a
 * partial checksum is then completed before the bit flips and the frame loses both flags, so whoever receives it
 * checks the checksum and catches the corruption — as with a real link behind an offloading NIC.
 */
final class DelayLine {

    private static final int OFFLOAD_FLAGS = BufferLayout.FLAG_L4_CHECKSUM_PARTIAL
            | BufferLayout.FLAG_L4_CHECKSUM_VERIFIED;

    private final int slotSize;
    private final byte[] bytes;
    private final int[] lengths;
    private final int[] offloadFlags;
    private final MemorySegment slots;
    final FaultInjector faults;

    private final int[] freeSlots;
    private int freeCount;

    private final long[] heapTime;
    private final long[] heapSequence;
    private final int[] heapSlot;
    private int size;
    private long nextSequence;

    long inFlightDrops;
    long oversizeDrops;

    DelayLine(int capacity, int slotSize, FaultInjector faults) {
        this.slotSize = slotSize;
        this.bytes = new byte[Math.multiplyExact(capacity, slotSize)];
        this.lengths = new int[capacity];
        this.offloadFlags = new int[capacity];
        this.slots = MemorySegment.ofArray(bytes);
        this.faults = faults;
        this.freeSlots = new int[capacity];
        this.heapTime = new long[capacity];
        this.heapSequence = new long[capacity];
        this.heapSlot = new int[capacity];
        clear();
    }

    /** Takes the frame onto the wire; returns false if it was dropped (not lost: lost counts as sent). */
    boolean offer(long now, BufferPool pool, int buffer, int length) {
        if (length > slotSize) {
            oversizeDrops++;
            return false;
        }
        if (faults.lose()) {
            return true;
        }
        if (freeCount == 0) {
            inFlightDrops++;
            return false;
        }
        long leave = faults.departure(now, length);
        if (leave == FaultInjector.RATE_DROPPED) {
            return false;
        }
        long at = leave + faults.propagationDelay();
        int slot = freeSlots[--freeCount];
        int base = slot * slotSize;
        pool.copyOut(buffer, bytes, base);
        lengths[slot] = length;
        int bit = faults.corruptBit(length);
        offloadFlags[slot] = pool.flags(buffer) & OFFLOAD_FLAGS;
        if (bit >= 0) {
            if ((offloadFlags[slot] & BufferLayout.FLAG_L4_CHECKSUM_PARTIAL) != 0) {
                // The sender's "NIC" checksums what it sends; the wire then corrupts it.
                Tcp.completeChecksumInFrame(slots, base);
            }
            offloadFlags[slot] = 0;
            bytes[base + (bit >>> 3)] ^= (byte) (1 << (bit & 7));
        }
        push(at, slot);
        if (faults.duplicate() && freeCount > 0) {
            int copy = freeSlots[--freeCount];
            System.arraycopy(bytes, base, bytes, copy * slotSize, length);
            lengths[copy] = length;
            offloadFlags[copy] = offloadFlags[slot];
            push(at, copy);
            faults.countDuplicate();
        }
        return true;
    }

    /**
     * The earliest frame due at {@code now}, copied into a buffer of {@code cache} and off the line; NO_BUFFER when
     * none is due or the cache has no buffer (the frame then stays for a later call).
     */
    int takeDue(long now, BufferCache cache) {
        if (size == 0 || heapTime[0] > now) {
            return BufferPool.NO_BUFFER;
        }
        int slot = heapSlot[0];
        int buffer = cache.copyIn(bytes, slot * slotSize, lengths[slot]);
        if (buffer != BufferPool.NO_BUFFER) {
            if (offloadFlags[slot] != 0) {
                cache.pool().setFlags(buffer, cache.pool().flags(buffer) | offloadFlags[slot]);
            }
            popHead();
        }
        return buffer;
    }

    /** Frames on the line. */
    int size() {
        return size;
    }

    /** When the earliest frame is due, or {@link Long#MAX_VALUE} when the line is empty. */
    long nextDue() {
        return size == 0 ? Long.MAX_VALUE : heapTime[0];
    }

    void clear() {
        size = 0;
        freeCount = freeSlots.length;
        for (int i = 0; i < freeCount; i++) {
            freeSlots[i] = freeCount - 1 - i;
        }
    }

    private void push(long time, int slot) {
        long sequence = nextSequence++;
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(time, sequence, heapTime[parent], heapSequence[parent])) {
                break;
            }
            set(i, heapTime[parent], heapSequence[parent], heapSlot[parent]);
            i = parent;
        }
        set(i, time, sequence, slot);
    }

    /** Removes the earliest frame and frees its slot. */
    void popHead() {
        freeSlots[freeCount++] = heapSlot[0];
        int last = --size;
        if (last == 0) {
            return;
        }
        long time = heapTime[last];
        long sequence = heapSequence[last];
        int slot = heapSlot[last];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= last) {
                break;
            }
            if (child + 1 < last
                    && before(heapTime[child + 1], heapSequence[child + 1], heapTime[child], heapSequence[child])) {
                child++;
            }
            if (!before(heapTime[child], heapSequence[child], time, sequence)) {
                break;
            }
            set(i, heapTime[child], heapSequence[child], heapSlot[child]);
            i = child;
        }
        set(i, time, sequence, slot);
    }

    private void set(int i, long time, long sequence, int slot) {
        heapTime[i] = time;
        heapSequence[i] = sequence;
        heapSlot[i] = slot;
    }

    private static boolean before(long time, long sequence, long otherTime, long otherSequence) {
        return time < otherTime || (time == otherTime && sequence < otherSequence);
    }
}
