package io.sluice.core.tcp.conn;

import io.sluice.core.tcp.SendBuffer;
import java.lang.foreign.MemorySegment;

/** A heap ring implementing {@link SendBuffer} for tests; the test plays the application with {@link #write}. */
public final class RingSendBuffer implements SendBuffer {

    private final MemorySegment ring;
    private final int capacity;
    private long head;
    private long tail;

    public RingSendBuffer(int capacity) {
        this.capacity = capacity;
        this.ring = MemorySegment.ofArray(new byte[capacity]);
    }

    /** Appends up to {@code length} bytes; returns how many fit. */
    public int write(MemorySegment source, long offset, int length) {
        int n = (int) Math.min(length, capacity - (tail - head));
        int first = (int) Math.min(n, capacity - tail % capacity);
        MemorySegment.copy(source, offset, ring, tail % capacity, first);
        MemorySegment.copy(source, offset + first, ring, 0, n - first);
        tail += n;
        return n;
    }

    public int write(byte[] bytes) {
        return write(MemorySegment.ofArray(bytes), 0, bytes.length);
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public int readableBytes() {
        return (int) (tail - head);
    }

    @Override
    public int peek(int offset, MemorySegment destination, long destinationOffset, int length) {
        int n = Math.max(0, Math.min(length, readableBytes() - offset));
        long from = head + offset;
        int first = (int) Math.min(n, capacity - from % capacity);
        MemorySegment.copy(ring, from % capacity, destination, destinationOffset, first);
        MemorySegment.copy(ring, 0, destination, destinationOffset + first, n - first);
        return n;
    }

    @Override
    public int drop(int length) {
        int n = Math.min(length, readableBytes());
        head += n;
        return n;
    }
}
