package io.sluice.session.cut;

import static io.sluice.session.segment.SharedAccess.INT;
import static io.sluice.session.segment.SharedAccess.LONG;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.sluice.core.sys.SharedMemory;
import io.sluice.session.fifo.ByteFifo;
import io.sluice.session.fifo.FifoLayout;
import io.sluice.session.mq.QueueLayout;
import io.sluice.session.segment.SharedMemoryCorruptedException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * The channel segment of a cut-through channel: a header, then the two single-producer message queues. The FIFO
 * pairs live in a separate {@link io.sluice.session.segment.FifoSegment}.
 *
 * <pre>
 *   0 +------------------------------------------------------------------------------+
 *     | magic "SLCT" | version | channel id (long) | segment size (long)                 |
 *     | toAccepter offset | toConnector offset | queue slot count | queue slot size       |
 *     | session slots | toAccepter FIFO bytes | toConnector FIFO bytes | pad | FIFO slot bytes (long) |
 *  64 +------------------------------------------------------------------------------+
 *     | queue toAccepter: the connector's worker posts, the accepter's worker drains     |
 *     +------------------------------------------------------------------------------+  (64-aligned)
 *     | queue toConnector: the accepter's worker posts, the connector's worker drains    |
 *     +------------------------------------------------------------------------------+  (page-aligned end)
 * </pre>
 *
 * <p>The header is written once by the stack before either application maps the segment; each application compares
 * it field by field with the description the stack sent, so a header that disagrees (or a description that does not
 * fit the memfd) is refused before any queue is touched.
 */
public final class ChannelLayout {

    public static final int MAGIC = 0x534c_4354; // "SLCT"
    public static final int VERSION = 1;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;
    static final int CHANNEL_ID_OFFSET = 8;
    static final int SEGMENT_SIZE_OFFSET = 16;
    static final int TO_ACCEPTER_OFFSET_OFFSET = 24;
    static final int TO_CONNECTOR_OFFSET_OFFSET = 28;
    static final int QUEUE_SLOT_COUNT_OFFSET = 32;
    static final int QUEUE_SLOT_SIZE_OFFSET = 36;
    static final int SESSION_SLOTS_OFFSET = 40;
    static final int TO_ACCEPTER_FIFO_BYTES_OFFSET = 44;
    static final int TO_CONNECTOR_FIFO_BYTES_OFFSET = 48;
    static final int FIFO_SLOT_BYTES_OFFSET = 56;
    /** Bytes of the header; the first queue starts here. */
    public static final int HEADER_SIZE = 64;

    /**
     * Most events an end takes from its queue in one drain. The queue frees consumed slots only when a drain ends,
     * so this many slots may be consumed but not yet free.
     */
    public static final int EVENTS_PER_DRAIN = 64;

    /**
     * Which user data word of a FIFO (see {@link ByteFifo#userData}) says that a DEQUEUED
     * event for it is posted and not yet drained: the reader sets it 0 to 1 before posting, the writer's drain
     * clears it. Like the has-event flag for RX, it keeps one event per FIFO in the queue at most.
     */
    static final int DEQUEUED_PENDING_WORD = 0;
    private static final long DEQUEUED_PENDING_OFFSET = FifoLayout.USER_DATA_OFFSET + 8L * DEQUEUED_PENDING_WORD;

    private ChannelLayout() {}

    /**
     * Slots of each queue for a channel of {@code sessionSlots} sessions, so that a peer that follows the event rules
     * can never find it full: per session a queue holds at most two undrained events (RX for the FIFO one way,
     * DEQUEUED for the FIFO the other way, each kept to one by its flag), plus up to {@link #EVENTS_PER_DRAIN} slots
     * drained but not yet freed; rounded up to a power of two.
     */
    static int queueSlotCount(int sessionSlots) {
        return Integer.highestOneBit(2 * sessionSlots + EVENTS_PER_DRAIN - 1) << 1;
    }

    /** Reader: marks a DEQUEUED event for {@code fifo} as posted; false if one is already waiting to be drained. */
    public static boolean markDequeuedPending(ByteFifo fifo) {
        return LONG.compareAndSet(fifo.region(), DEQUEUED_PENDING_OFFSET, 0L, 1L);
    }

    /** Writer, on draining a DEQUEUED event for {@code fifo}: the reader may post the next one. */
    public static void clearDequeuedPending(ByteFifo fifo) {
        LONG.setVolatile(fifo.region(), DEQUEUED_PENDING_OFFSET, 0L);
        // Store-load, as ByteFifo.clearEvent: a reader that still sees the flag set (and so posts nothing) dequeued
        // before our following look at the free space, which then sees the space it freed.
        VarHandle.fullFence();
    }

    /** Offset of the toConnector queue, after the toAccepter queue at {@link #HEADER_SIZE}. */
    static int toConnectorOffset(int queueSlotCount) {
        return HEADER_SIZE + (int) alignUp(QueueLayout.footprint(queueSlotCount, CutThroughEvent.SLOT_SIZE),
                QueueLayout.CACHE_LINE);
    }

    /** Bytes of the channel segment: header and both queues, rounded up to a page. */
    static long segmentSize(int queueSlotCount) {
        long end = toConnectorOffset(queueSlotCount) + QueueLayout.footprint(queueSlotCount, CutThroughEvent.SLOT_SIZE);
        return alignUp(end, SharedMemory.pageSize());
    }

    /** Writes the header of a fresh segment; the magic last, with release, so whoever sees it sees the rest. */
    static void writeHeader(MemorySegment segment, CutThroughDescription d) {
        segment.set(JAVA_INT, VERSION_OFFSET, VERSION);
        segment.set(JAVA_LONG, CHANNEL_ID_OFFSET, d.channelId());
        segment.set(JAVA_LONG, SEGMENT_SIZE_OFFSET, d.channelSegmentSize());
        segment.set(JAVA_INT, TO_ACCEPTER_OFFSET_OFFSET, d.toAccepterOffset());
        segment.set(JAVA_INT, TO_CONNECTOR_OFFSET_OFFSET, d.toConnectorOffset());
        segment.set(JAVA_INT, QUEUE_SLOT_COUNT_OFFSET, d.queueSlotCount());
        segment.set(JAVA_INT, QUEUE_SLOT_SIZE_OFFSET, d.queueSlotSize());
        segment.set(JAVA_INT, SESSION_SLOTS_OFFSET, d.sessionSlots());
        segment.set(JAVA_INT, TO_ACCEPTER_FIFO_BYTES_OFFSET, d.toAccepterFifoBytes());
        segment.set(JAVA_INT, TO_CONNECTOR_FIFO_BYTES_OFFSET, d.toConnectorFifoBytes());
        segment.set(JAVA_LONG, FIFO_SLOT_BYTES_OFFSET, d.fifoSlotBytes());
        INT.setRelease(segment, (long) MAGIC_OFFSET, MAGIC);
    }

    /**
     * Checks a mapped header against the description: magic, version and every field must agree.
     *
     * @throws SharedMemoryCorruptedException naming the channel and the first field that differs
     */
    static void checkHeader(MemorySegment segment, CutThroughDescription d) {
        String where = "cut-through channel " + d.channelId() + " segment " + d.channelSegmentId() + ": ";
        if (segment.byteSize() < HEADER_SIZE) {
            throw new SharedMemoryCorruptedException(where + "mapping of " + segment.byteSize()
                    + " bytes is smaller than the " + HEADER_SIZE + "-byte header");
        }
        int magic = (int) INT.getAcquire(segment, (long) MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new SharedMemoryCorruptedException(where + "header magic 0x" + Integer.toHexString(magic)
                    + ", expected 0x" + Integer.toHexString(MAGIC));
        }
        int version = segment.get(JAVA_INT, VERSION_OFFSET);
        if (version != VERSION) {
            throw new SharedMemoryCorruptedException(where + "layout version " + version + ", this end reads "
                    + VERSION);
        }
        expect(where, "channel id", segment.get(JAVA_LONG, CHANNEL_ID_OFFSET), d.channelId());
        expect(where, "segment size", segment.get(JAVA_LONG, SEGMENT_SIZE_OFFSET), d.channelSegmentSize());
        expect(where, "toAccepter offset", segment.get(JAVA_INT, TO_ACCEPTER_OFFSET_OFFSET), d.toAccepterOffset());
        expect(where, "toConnector offset", segment.get(JAVA_INT, TO_CONNECTOR_OFFSET_OFFSET),
                d.toConnectorOffset());
        expect(where, "queue slot count", segment.get(JAVA_INT, QUEUE_SLOT_COUNT_OFFSET), d.queueSlotCount());
        expect(where, "queue slot size", segment.get(JAVA_INT, QUEUE_SLOT_SIZE_OFFSET), d.queueSlotSize());
        expect(where, "session slots", segment.get(JAVA_INT, SESSION_SLOTS_OFFSET), d.sessionSlots());
        expect(where, "toAccepter FIFO bytes", segment.get(JAVA_INT, TO_ACCEPTER_FIFO_BYTES_OFFSET),
                d.toAccepterFifoBytes());
        expect(where, "toConnector FIFO bytes", segment.get(JAVA_INT, TO_CONNECTOR_FIFO_BYTES_OFFSET),
                d.toConnectorFifoBytes());
        expect(where, "FIFO slot bytes", segment.get(JAVA_LONG, FIFO_SLOT_BYTES_OFFSET), d.fifoSlotBytes());
    }

    private static void expect(String where, String field, long found, long described) {
        if (found != described) {
            throw new SharedMemoryCorruptedException(where + "header " + field + " " + found
                    + " differs from the described " + described);
        }
    }

    static long alignUp(long value, long alignment) {
        return (value + alignment - 1) / alignment * alignment;
    }
}
