package io.sluice.core.tcp;

import java.lang.foreign.MemorySegment;

/**
 * Where TCP puts received payload: in-order bytes at the tail, early (out-of-order) bytes in place at an
 * offset beyond the tail. The session layer's shared-memory FIFO implements it, so received data is copied once,
 * from the packet buffer straight into the application's FIFO, with no separate reassembly queue.
 *
 * <p>Offsets are relative to the current tail, which corresponds to TCP's RCV.NXT: offset {@code k} holds the byte
 * with sequence number {@code RCV.NXT + k}. One producer thread (the stack worker that owns the connection) calls
 * every method.
 */
public interface ReceiveBuffer {

    /** Total bytes the buffer can hold. */
    int capacity();

    /** Bytes that can still be written starting at the tail: the receive window to advertise. */
    int freeSpace();

    /**
     * Appends in-order bytes at the tail, taking at most {@link #freeSpace()} of them. Out-of-order ranges that the
     * new bytes reach are absorbed, so the tail may advance further than {@code length}.
     *
     * @return how far the tail advanced: the bytes written plus the out-of-order bytes absorbed (add it to RCV.NXT)
     */
    int enqueue(MemorySegment source, long sourceOffset, int length);

    /**
     * Writes bytes that begin {@code offset} bytes past the tail, in place, and records the range. Bytes beyond the
     * free space are not taken.
     *
     * @param offset distance from the tail, at least 1 (offset 0 is an in-order write: use {@link #enqueue})
     * @return the bytes taken; 0 when none fit or when a new range is needed but the range table is full
     */
    int enqueueOutOfOrder(int offset, MemorySegment source, long sourceOffset, int length);

    /** How many separate out-of-order ranges are held beyond the tail, in ascending order (for SACK blocks). */
    int outOfOrderRangeCount();

    /** Start of the {@code index}-th out-of-order range, relative to the tail (always at least 1). */
    int outOfOrderRangeOffset(int index);

    /** Length of the {@code index}-th out-of-order range. */
    int outOfOrderRangeLength(int index);
}
