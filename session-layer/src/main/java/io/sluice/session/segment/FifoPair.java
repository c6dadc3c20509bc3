package io.sluice.session.segment;

import io.sluice.core.tcp.layer.TcpBuffers;
import io.sluice.session.fifo.ByteFifo;

/**
 * One session's two FIFOs, in one slot of a {@link FifoSegment}: the transmit FIFO (the application produces, the
 * stack consumes) and the receive FIFO (the stack produces, in order and out of order; the application consumes).
 * The application finds them in its own mapping of segment {@link #segmentId()} at {@link #txOffset()} and
 * {@link #rxOffset()} and builds its views with {@link ByteFifo#attach}.
 *
 * <p>A pair object is made once per slot when its segment is made, and handed out again each time the slot is, so
 * allocating a pair allocates nothing.
 */
public final class FifoPair {

    private final FifoSegment segment;
    private final int slot;
    private final long txOffset;
    private final long rxOffset;
    private final ByteFifo tx;
    private final ByteFifo rx;
    private final TcpBuffers tcpBuffers;
    /** The stack-side user of the pair while it is handed out (the session layer's session); never shared memory. */
    private Object owner;

    FifoPair(FifoSegment segment, int slot, long txOffset, long rxOffset, ByteFifo tx, ByteFifo rx) {
        this.segment = segment;
        this.slot = slot;
        this.txOffset = txOffset;
        this.rxOffset = rxOffset;
        this.tx = tx;
        this.rx = rx;
        this.tcpBuffers = new TcpBuffers(tx, rx);
    }

    /**
     * The stack-side object that holds the pair while it is handed out, or null. Only the thread that holds the
     * pair touches it; freeing and allocating the pair order it for the next holder.
     */
    public Object owner() {
        return owner;
    }

    /** Sets the pair's holder (null when it is freed). */
    public void setOwner(Object holder) {
        owner = holder;
    }

    /** The segment the pair lives in. */
    public FifoSegment segment() {
        return segment;
    }

    /** The id of that segment, as announced to the application (ATTACH_REPLY or SEGMENT_ADD). */
    public long segmentId() {
        return segment.id();
    }

    /** The pair's slot number in its segment. */
    public int slot() {
        return slot;
    }

    /** Byte offset of the transmit FIFO in the segment. */
    public long txOffset() {
        return txOffset;
    }

    /** Byte offset of the receive FIFO in the segment. */
    public long rxOffset() {
        return rxOffset;
    }

    /** The transmit FIFO, the stack's view: the application writes, TCP sends from it. */
    public ByteFifo tx() {
        return tx;
    }

    /** The receive FIFO, the stack's view: TCP writes, the application reads. */
    public ByteFifo rx() {
        return rx;
    }

    /** The pair as TCP's buffers: send = tx, receive = rx. */
    public TcpBuffers tcpBuffers() {
        return tcpBuffers;
    }

    /** Empties both FIFOs for a new session. */
    void reset() {
        tx.reset();
        rx.reset();
    }

    @Override
    public String toString() {
        return "FIFO pair " + slot + " of segment " + segment.id() + " (tx at " + txOffset + ", rx at " + rxOffset
                + ")";
    }
}
