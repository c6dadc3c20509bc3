package io.sluice.session.fifo;

/**
 * Where each field of a {@link ByteFifo} lives, as offsets from the start of the FIFO's region. The region sits
 * inside a shared-memory segment mapped by two processes, so this layout is the contract between them.
 *
 * <pre>
 *   0 +--------------------------------------------------------------------+
 *     | magic | version | capacity | maxOutOfOrderRanges | user data (32 B)  |  written once, by the creator
 *  64 +--------------------------------------------------------------------+
 *     | head: position of the next byte to read (long)                      |  consumer writes, producer reads
 * 128 +--------------------------------------------------------------------+
 *     | tail: position after the last in-order byte written (long)          |  producer writes, consumer reads
 * 192 +--------------------------------------------------------------------+
 *     | hasEvent (int) | wantDequeueNotification (int)                      |  both write (see ByteFifo)
 * 256 +--------------------------------------------------------------------+
 *     | outOfOrderCount (int) | pad | ranges: {start (long), end (long)}... |  producer only
 *     +--------------------------------------------------------------------+  (aligned up to 64)
 *     | data: capacity bytes                                                |
 *     +--------------------------------------------------------------------+
 * </pre>
 *
 * <p>Positions are byte counts since the FIFO was created (64-bit, never wrapping in practice: 2^63 bytes is
 * nearly three years at 100 GB/s); a position's byte lives at {@code data[position % capacity]}. Head and tail sit
 * on separate cache lines so the producer and consumer do not invalidate each other's line on every update.
 */
public final class FifoLayout {

    public static final int CACHE_LINE = 64;
    public static final int MAGIC = 0x5346_4946; // "SFIF"
    public static final int VERSION = 1;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 4;
    public static final int CAPACITY_OFFSET = 8;
    public static final int MAX_RANGES_OFFSET = 12;
    /** 32 bytes the session layer may use (session handles), opaque to the FIFO. */
    public static final int USER_DATA_OFFSET = 32;
    public static final int USER_DATA_LENGTH = 32;

    public static final int HEAD_OFFSET = CACHE_LINE;
    public static final int TAIL_OFFSET = 2 * CACHE_LINE;
    public static final int HAS_EVENT_OFFSET = 3 * CACHE_LINE;
    public static final int WANT_DEQUEUE_NOTIFICATION_OFFSET = HAS_EVENT_OFFSET + 4;

    public static final int OUT_OF_ORDER_COUNT_OFFSET = 4 * CACHE_LINE;
    public static final int RANGES_OFFSET = OUT_OF_ORDER_COUNT_OFFSET + 8;
    public static final int RANGE_SIZE = 16;
    public static final int RANGE_START_OFFSET = 0;
    public static final int RANGE_END_OFFSET = 8;

    /** Out-of-order ranges kept by default: more than TCP's four SACK blocks, few enough to scan linearly. */
    public static final int DEFAULT_MAX_RANGES = 32;
    /** Upper bound on the range table, so a header cannot claim an absurd table. */
    public static final int MAX_RANGES_LIMIT = 1024;
    /** Smallest capacity accepted. */
    public static final int MIN_CAPACITY = 64;
    /** Largest capacity accepted: positions in the data area must fit in an int. */
    public static final int MAX_CAPACITY = 1 << 30;

    private FifoLayout() {}

    /** Offset of the data area for a table of {@code maxRanges} ranges. */
    public static long dataOffset(int maxRanges) {
        checkMaxRanges(maxRanges);
        return alignUp(RANGES_OFFSET + (long) maxRanges * RANGE_SIZE, CACHE_LINE);
    }

    /** Bytes a FIFO of this capacity and range table occupies in a segment. */
    public static long footprint(int capacity, int maxRanges) {
        checkCapacity(capacity);
        return dataOffset(maxRanges) + alignUp(capacity, CACHE_LINE);
    }

    static void checkCapacity(int capacity) {
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException(
                    "FIFO capacity " + capacity + " outside [" + MIN_CAPACITY + ", " + MAX_CAPACITY + "]");
        }
    }

    static void checkMaxRanges(int maxRanges) {
        if (maxRanges < 0 || maxRanges > MAX_RANGES_LIMIT) {
            throw new IllegalArgumentException(
                    "out-of-order range table of " + maxRanges + " outside [0, " + MAX_RANGES_LIMIT + "]");
        }
    }

    static long alignUp(long value, int alignment) {
        return (value + alignment - 1) & -alignment;
    }
}
