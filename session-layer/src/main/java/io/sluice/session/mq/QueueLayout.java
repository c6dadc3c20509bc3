package io.sluice.session.mq;

/**
 * Where each field of a {@link MessageQueue} lives, as offsets from the start of its region in a shared segment.
 *
 * <pre>
 *   0 +----------------------------------------------------------------------+
 *     | magic | version | slotCount | slotSize | producers                    |  written once, by the creator
 *  64 +----------------------------------------------------------------------+
 *     | tail: next position to claim (long)                                  |  producers (see Producers)
 * 128 +----------------------------------------------------------------------+
 *     | head: next position to consume (long)                                |  consumer writes; a gauge for others
 * 192 +----------------------------------------------------------------------+
 *     | consumerSleeping (int)                                               |  consumer sets, producers clear
 * 256 +----------------------------------------------------------------------+
 *     | fullCount (long) | wakeupCount (long)                                |  producers add
 * 320 +----------------------------------------------------------------------+
 *     | slot 0: sequence (long) | payload (slotSize - 8 bytes)               |
 *     | slot 1 ...                                                           |
 *     +----------------------------------------------------------------------+
 * </pre>
 *
 * <p>A slot's sequence is {@code p + 1} once the message for position {@code p} (which maps to slot
 * {@code p % slotCount}) is published; until then it holds the value of an earlier lap (or 0, never used). The
 * consumer never writes slots: it frees them all at once by publishing its head, and producers claim position
 * {@code p} only when {@code p - head < slotCount}, checked against a cached head that they refresh only when the
 * queue looks full. So a message costs one cache-line transfer, from producer to consumer. Several producers
 * claim with one compare-and-set on the tail and publish independently, in any order; a single producer claims with
 * a plain store.
 */
public final class QueueLayout {

    public static final int CACHE_LINE = 64;
    public static final int MAGIC = 0x534d_5131; // "SMQ1"
    public static final int VERSION = 1;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 4;
    public static final int SLOT_COUNT_OFFSET = 8;
    public static final int SLOT_SIZE_OFFSET = 12;
    public static final int PRODUCERS_OFFSET = 16;
    public static final int TAIL_OFFSET = CACHE_LINE;
    public static final int HEAD_OFFSET = 2 * CACHE_LINE;
    public static final int CONSUMER_SLEEPING_OFFSET = 3 * CACHE_LINE;
    public static final int FULL_COUNT_OFFSET = 4 * CACHE_LINE;
    public static final int WAKEUP_COUNT_OFFSET = FULL_COUNT_OFFSET + 8;
    public static final int SLOTS_OFFSET = 5 * CACHE_LINE;

    /** A slot starts with its sequence word; the payload follows. */
    public static final int SLOT_SEQUENCE_OFFSET = 0;
    public static final int SLOT_PAYLOAD_OFFSET = 8;

    public static final int MIN_SLOT_SIZE = 16;
    public static final int MAX_SLOT_SIZE = 4096;
    public static final int MAX_SLOT_COUNT = 1 << 24;

    private QueueLayout() {}

    /** Bytes a queue of {@code slotCount} slots of {@code slotSize} bytes occupies. */
    public static long footprint(int slotCount, int slotSize) {
        check(slotCount, slotSize);
        return SLOTS_OFFSET + (long) slotCount * slotSize;
    }

    /** Checks the geometry: both powers of two, slot size a multiple of 8 within limits. */
    static void check(int slotCount, int slotSize) {
        if (slotCount < 2 || slotCount > MAX_SLOT_COUNT || Integer.bitCount(slotCount) != 1) {
            throw new IllegalArgumentException(
                    "queue slot count " + slotCount + " must be a power of two in [2, " + MAX_SLOT_COUNT + "]");
        }
        if (slotSize < MIN_SLOT_SIZE || slotSize > MAX_SLOT_SIZE || Integer.bitCount(slotSize) != 1) {
            throw new IllegalArgumentException("queue slot size " + slotSize + " must be a power of two in ["
                    + MIN_SLOT_SIZE + ", " + MAX_SLOT_SIZE + "]");
        }
    }
}
