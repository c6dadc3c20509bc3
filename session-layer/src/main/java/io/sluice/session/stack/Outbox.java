package io.sluice.session.stack;

import io.sluice.session.msg.SessionMessage;
import java.lang.foreign.MemorySegment;

/**
 * Control messages one stack worker could not post to one application worker's queue because it was full: a
 * bounded ring of whole messages, retried by the worker every pass in order. While it holds anything, the worker
 * posts every new message for that application worker behind it, so the application sees them in the order they
 * were made (an ACCEPTED before the RX of its session). Owned by one stack worker's thread.
 */
final class Outbox {

    /** Messages one outbox holds; beyond, a control message is lost and counted (the application is not reading). */
    static final int CAPACITY = 256;

    final AppWorkerPort port;
    /** Longs, not bytes: the message views need 8-byte alignment. */
    private final MemorySegment ring = MemorySegment.ofArray(new long[CAPACITY * SessionMessage.SIZE / 8]);
    private int head;
    private int count;
    /** Linked into its worker's list of outboxes to retry. */
    boolean listed;
    Outbox nextListed;

    Outbox(AppWorkerPort port) {
        this.port = port;
    }

    boolean isEmpty() {
        return count == 0;
    }

    /** Copies the message at {@code from} in; false when the ring is full. */
    boolean add(MemorySegment from, long at) {
        if (count == CAPACITY) {
            return false;
        }
        MemorySegment.copy(from, at, ring, (long) ((head + count) % CAPACITY) * SessionMessage.SIZE,
                SessionMessage.SIZE);
        count++;
        return true;
    }

    /** The ring and the offset of the oldest message (valid while not empty). */
    MemorySegment memory() {
        return ring;
    }

    long oldestOffset() {
        return (long) head * SessionMessage.SIZE;
    }

    void removeOldest() {
        head = (head + 1) % CAPACITY;
        count--;
    }

    void clear() {
        head = 0;
        count = 0;
    }
}
