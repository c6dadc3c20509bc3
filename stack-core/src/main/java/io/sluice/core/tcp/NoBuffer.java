package io.sluice.core.tcp;

import java.lang.foreign.MemorySegment;

/**
 * The buffers of a connection that has given its own back: empty and full at once, holding nothing and taking
 * nothing. A connection in TIME-WAIT keeps answering its peer (an ACK for a retransmitted FIN, a challenge ACK)
 * but moves no more data, so its real buffers go back to the application's segment when TIME-WAIT begins rather
 * than two MSL later.
 */
public final class NoBuffer implements SendBuffer, ReceiveBuffer {

    /** The one instance: it has no state. */
    public static final NoBuffer INSTANCE = new NoBuffer();

    private NoBuffer() {
    }

    @Override
    public int capacity() {
        return 0;
    }

    @Override
    public int readableBytes() {
        return 0;
    }

    @Override
    public int peek(int offset, MemorySegment destination, long destinationOffset, int length) {
        return 0;
    }

    @Override
    public int drop(int length) {
        return 0;
    }

    @Override
    public int freeSpace() {
        return 0;
    }

    @Override
    public int enqueue(MemorySegment source, long sourceOffset, int length) {
        return 0;
    }

    @Override
    public int enqueueOutOfOrder(int offset, MemorySegment source, long sourceOffset, int length) {
        return 0;
    }

    @Override
    public int outOfOrderRangeCount() {
        return 0;
    }

    @Override
    public int outOfOrderRangeOffset(int index) {
        throw new IndexOutOfBoundsException("no out-of-order range " + index + ": the buffer was given back");
    }

    @Override
    public int outOfOrderRangeLength(int index) {
        throw new IndexOutOfBoundsException("no out-of-order range " + index + ": the buffer was given back");
    }
}
