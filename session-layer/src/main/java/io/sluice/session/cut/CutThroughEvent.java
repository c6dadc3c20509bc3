package io.sluice.session.cut;

/**
 * The IO events of a cut-through channel and their place in a queue slot. A slot is 16 bytes: the queue's 8-byte
 * sequence word, then an 8-byte payload holding the event type and the session's pair slot, two {@code int}s. That is
 * all an IO event needs (the FIFOs carry the data and the positions), and four slots share a cache line.
 */
public final class CutThroughEvent {

    /** The writer put bytes into the session's FIFO; sent only when its has-event flag goes from 0 to 1. */
    public static final int RX = 1;
    /** The reader took bytes out of the session's FIFO after the writer asked for a dequeue notification. */
    public static final int DEQUEUED = 2;

    /** Queue slot size: sequence word plus the two ints below. */
    public static final int SLOT_SIZE = 16;
    /** Offset of the event type in the slot's payload. */
    static final int TYPE_OFFSET = 0;
    /** Offset of the pair slot number in the slot's payload. */
    static final int SESSION_SLOT_OFFSET = 4;

    private CutThroughEvent() {}

    /** Whether {@code type} is one of the events above. */
    static boolean isKnown(int type) {
        return type == RX || type == DEQUEUED;
    }

    /** The event's name, for logs and messages. */
    public static String name(int type) {
        return switch (type) {
            case RX -> "RX";
            case DEQUEUED -> "DEQUEUED";
            default -> "unknown event " + type;
        };
    }
}
