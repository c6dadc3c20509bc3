package io.sluice.core.tcp;

import java.lang.foreign.MemorySegment;

/**
 * Where TCP finds the bytes to send: everything the application wrote and the peer has not acknowledged yet.
 * The session layer's shared-memory FIFO implements it; TCP keeps no copy of unacknowledged data, it peeks at an
 * offset to (re)transmit and drops bytes from the head when they are acknowledged.
 *
 * <p>Offset 0 is the oldest unacknowledged byte, TCP's SND.UNA. One consumer thread (the stack worker that owns the
 * connection) calls every method.
 */
public interface SendBuffer {

    /** Total bytes the buffer can hold. */
    int capacity();

    /** Bytes held: unacknowledged bytes already sent plus bytes not sent yet. */
    int readableBytes();

    /**
     * Copies bytes starting {@code offset} bytes past the head into {@code destination}, without consuming them.
     *
     * @return the bytes copied: {@code min(length, readableBytes() - offset)}, or 0 when offset is at or past the end
     */
    int peek(int offset, MemorySegment destination, long destinationOffset, int length);

    /**
     * Discards {@code length} bytes from the head (they were acknowledged).
     *
     * @return the bytes discarded, at most {@link #readableBytes()}
     */
    int drop(int length);
}
