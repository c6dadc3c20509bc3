package io.sluice.core.tcp.conn;

import io.sluice.core.tcp.ReceiveBuffer;
import java.lang.foreign.MemorySegment;

/**
 * A heap ring implementing {@link ReceiveBuffer} for tests, with out-of-order ranges kept as sorted absolute
 * positions; the test plays the application with {@link #read}.
 */
public final class RingReceiveBuffer implements ReceiveBuffer {

    private static final int MAX_RANGES = 16;

    private final MemorySegment ring;
    private final int capacity;
    private final long[] starts = new long[MAX_RANGES + 1];
    private final long[] ends = new long[MAX_RANGES + 1];
    private int ranges;
    private long head;
    private long tail;

    public RingReceiveBuffer(int capacity) {
        this.capacity = capacity;
        this.ring = MemorySegment.ofArray(new byte[capacity]);
    }

    /** Takes up to {@code length} in-order bytes out; returns how many. */
    public int read(MemorySegment destination, long offset, int length) {
        int n = (int) Math.min(length, tail - head);
        int first = (int) Math.min(n, capacity - head % capacity);
        MemorySegment.copy(ring, head % capacity, destination, offset, first);
        MemorySegment.copy(ring, 0, destination, offset + first, n - first);
        head += n;
        return n;
    }

    /** Bytes ready to read. */
    public int readable() {
        return (int) (tail - head);
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public int freeSpace() {
        return (int) (capacity - (tail - head));
    }

    @Override
    public int enqueue(MemorySegment source, long sourceOffset, int length) {
        int n = Math.min(length, freeSpace());
        copyIn(tail, source, sourceOffset, n);
        long before = tail;
        tail += n;
        while (ranges > 0 && starts[0] <= tail) {
            tail = Math.max(tail, ends[0]);
            removeRange(0);
        }
        return (int) (tail - before);
    }

    @Override
    public int enqueueOutOfOrder(int offset, MemorySegment source, long sourceOffset, int length) {
        int free = freeSpace();
        if (offset < 1 || offset >= free) {
            return 0;
        }
        int n = Math.min(length, free - offset);
        long start = tail + offset;
        long end = start + n;
        int at = 0;
        while (at < ranges && ends[at] < start) {
            at++;
        }
        boolean merges = at < ranges && starts[at] <= end;
        if (!merges && ranges == MAX_RANGES) {
            return 0;
        }
        copyIn(start, source, sourceOffset, n);
        if (!merges) {
            System.arraycopy(starts, at, starts, at + 1, ranges - at);
            System.arraycopy(ends, at, ends, at + 1, ranges - at);
            starts[at] = start;
            ends[at] = end;
            ranges++;
            return n;
        }
        starts[at] = Math.min(starts[at], start);
        ends[at] = Math.max(ends[at], end);
        while (at + 1 < ranges && starts[at + 1] <= ends[at]) {
            ends[at] = Math.max(ends[at], ends[at + 1]);
            removeRange(at + 1);
        }
        return n;
    }

    private void removeRange(int index) {
        System.arraycopy(starts, index + 1, starts, index, ranges - index - 1);
        System.arraycopy(ends, index + 1, ends, index, ranges - index - 1);
        ranges--;
    }

    private void copyIn(long position, MemorySegment source, long sourceOffset, int n) {
        int first = (int) Math.min(n, capacity - position % capacity);
        MemorySegment.copy(source, sourceOffset, ring, position % capacity, first);
        MemorySegment.copy(source, sourceOffset + first, ring, 0, n - first);
    }

    @Override
    public int outOfOrderRangeCount() {
        return ranges;
    }

    @Override
    public int outOfOrderRangeOffset(int index) {
        return (int) (starts[index] - tail);
    }

    @Override
    public int outOfOrderRangeLength(int index) {
        return (int) (ends[index] - starts[index]);
    }
}
