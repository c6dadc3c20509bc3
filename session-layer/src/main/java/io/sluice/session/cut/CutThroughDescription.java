package io.sluice.session.cut;

import io.sluice.session.attach.FdRole;
import io.sluice.session.mq.QueueLayout;
import io.sluice.session.segment.FifoSegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * What the stack tells both applications of a cut-through channel, so each can map it: the channel segment (id,
 * size, where the two queues are and their geometry) and the FIFO segment (id, size, session slots and their FIFO
 * sizes). The descriptors travel beside it, in the order of {@link #FD_ROLES}.
 *
 * <p>Every field is checked when the record is made (also when decoded): offsets inside the segment and 64-byte
 * aligned, queues disjoint, geometry valid, the slots fitting the FIFO segment. The application then checks the
 * memfds' sizes and the segment's header against it ({@link CutThroughEnd#open}).
 *
 * @param toAccepterFifoBytes  capacity of each pair's tx FIFO (connector to accepter)
 * @param toConnectorFifoBytes capacity of each pair's rx FIFO (accepter to connector)
 */
public record CutThroughDescription(long channelId, long channelSegmentId, long channelSegmentSize,
        int toAccepterOffset, int toConnectorOffset, int queueSlotCount, int queueSlotSize, long fifoSegmentId,
        long fifoSegmentSize, int sessionSlots, long fifoSlotBytes, int toAccepterFifoBytes,
        int toConnectorFifoBytes) {

    /** The descriptors sent with the description, in order. */
    public static final List<FdRole> FD_ROLES = List.of(FdRole.CUT_THROUGH_SEGMENT_MEMFD,
            FdRole.CUT_THROUGH_FIFO_MEMFD, FdRole.PEER_WORKER_EVENTFD);

    /** Bytes of {@link #encode}'s output. */
    public static final int ENCODED_BYTES = 80;

    public CutThroughDescription {
        String where = "cut-through channel " + channelId + " description: ";
        if (sessionSlots < 1 || sessionSlots > CutThroughChannel.MAX_SESSION_SLOTS) {
            throw new IllegalArgumentException(where + "session slots " + sessionSlots + " outside [1, "
                    + CutThroughChannel.MAX_SESSION_SLOTS + "]");
        }
        long queueBytes;
        long slotBytes;
        try {
            queueBytes = QueueLayout.footprint(queueSlotCount, queueSlotSize);
            slotBytes = FifoSegment.slotBytes(toAccepterFifoBytes, toConnectorFifoBytes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + e.getMessage(), e);
        }
        checkQueueOffset(where, "toAccepter", toAccepterOffset, ChannelLayout.HEADER_SIZE);
        checkQueueOffset(where, "toConnector", toConnectorOffset, toAccepterOffset + queueBytes);
        if (toConnectorOffset + queueBytes > channelSegmentSize) {
            throw new IllegalArgumentException(where + "toConnector queue ends at " + (toConnectorOffset + queueBytes)
                    + ", beyond the channel segment's " + channelSegmentSize + " bytes");
        }
        if (fifoSlotBytes != slotBytes) {
            throw new IllegalArgumentException(where + "FIFO slot bytes " + fifoSlotBytes + ", but FIFOs of "
                    + toAccepterFifoBytes + " and " + toConnectorFifoBytes + " bytes take " + slotBytes);
        }
        if (sessionSlots * slotBytes > fifoSegmentSize) {
            throw new IllegalArgumentException(where + sessionSlots + " slots of " + slotBytes
                    + " bytes do not fit the FIFO segment's " + fifoSegmentSize + " bytes");
        }
    }

    private static void checkQueueOffset(String where, String queue, int offset, long lowest) {
        if (offset < lowest || offset % QueueLayout.CACHE_LINE != 0) {
            throw new IllegalArgumentException(where + queue + " queue offset " + offset + " is not a multiple of "
                    + QueueLayout.CACHE_LINE + " at or after " + lowest);
        }
    }

    /**
     * The description of a channel laid out by {@link ChannelLayout} for {@code sessionSlots} sessions, whose FIFO
     * segment of {@code fifoSegmentSize} bytes holds pairs of the given sizes.
     */
    static CutThroughDescription of(long channelId, long channelSegmentId, long fifoSegmentId, long fifoSegmentSize,
            int sessionSlots, int toAccepterFifoBytes, int toConnectorFifoBytes) {
        int queueSlots = ChannelLayout.queueSlotCount(sessionSlots);
        return new CutThroughDescription(channelId, channelSegmentId, ChannelLayout.segmentSize(queueSlots),
                ChannelLayout.HEADER_SIZE, ChannelLayout.toConnectorOffset(queueSlots), queueSlots,
                CutThroughEvent.SLOT_SIZE, fifoSegmentId, fifoSegmentSize, sessionSlots,
                FifoSegment.slotBytes(toAccepterFifoBytes, toConnectorFifoBytes), toAccepterFifoBytes,
                toConnectorFifoBytes);
    }

    /** Offset of the tx FIFO (connector to accepter) of pair {@code slot} in the FIFO segment. */
    public long toAccepterFifoOffset(int slot) {
        return FifoSegment.txOffset(slot, toAccepterFifoBytes, toConnectorFifoBytes);
    }

    /** Offset of the rx FIFO (accepter to connector) of pair {@code slot} in the FIFO segment. */
    public long toConnectorFifoOffset(int slot) {
        return FifoSegment.rxOffset(slot, toAccepterFifoBytes, toConnectorFifoBytes);
    }

    /**
     * Writes the description as {@link #ENCODED_BYTES} little-endian bytes at the buffer's position, advancing it.
     *
     * @throws java.nio.BufferOverflowException if fewer bytes remain
     */
    public void encode(ByteBuffer buffer) {
        ByteBuffer out = buffer.slice(buffer.position(), ENCODED_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(channelId).putLong(channelSegmentId).putLong(channelSegmentSize);
        out.putInt(toAccepterOffset).putInt(toConnectorOffset).putInt(queueSlotCount).putInt(queueSlotSize);
        out.putLong(fifoSegmentId).putLong(fifoSegmentSize);
        out.putInt(sessionSlots).putInt(toAccepterFifoBytes).putInt(toConnectorFifoBytes).putInt(0);
        out.putLong(fifoSlotBytes);
        buffer.position(buffer.position() + ENCODED_BYTES);
    }

    /**
     * Reads a description {@link #encode} wrote, advancing the buffer's position.
     *
     * @throws IllegalArgumentException if fewer than {@link #ENCODED_BYTES} bytes remain or a field is invalid
     *                                  (the message names it)
     */
    public static CutThroughDescription decode(ByteBuffer buffer) {
        if (buffer.remaining() < ENCODED_BYTES) {
            throw new IllegalArgumentException("cut-through channel description needs " + ENCODED_BYTES
                    + " bytes, " + buffer.remaining() + " remain");
        }
        ByteBuffer in = buffer.slice(buffer.position(), ENCODED_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        long channelId = in.getLong();
        long channelSegmentId = in.getLong();
        long channelSegmentSize = in.getLong();
        int toAccepterOffset = in.getInt();
        int toConnectorOffset = in.getInt();
        int queueSlotCount = in.getInt();
        int queueSlotSize = in.getInt();
        long fifoSegmentId = in.getLong();
        long fifoSegmentSize = in.getLong();
        int sessionSlots = in.getInt();
        int toAccepterFifoBytes = in.getInt();
        int toConnectorFifoBytes = in.getInt();
        int padding = in.getInt();
        long fifoSlotBytes = in.getLong();
        if (padding != 0) {
            throw new IllegalArgumentException("cut-through channel " + channelId
                    + " description: reserved word " + padding + " is not 0");
        }
        CutThroughDescription d = new CutThroughDescription(channelId, channelSegmentId, channelSegmentSize,
                toAccepterOffset, toConnectorOffset, queueSlotCount, queueSlotSize, fifoSegmentId,
                fifoSegmentSize, sessionSlots, fifoSlotBytes, toAccepterFifoBytes, toConnectorFifoBytes);
        buffer.position(buffer.position() + ENCODED_BYTES);
        return d;
    }
}
