package io.sluice.session.cut;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.sys.SharedMemory;
import io.sluice.session.attach.FdRole;
import io.sluice.session.fifo.FifoLayout;
import io.sluice.session.mq.QueueLayout;
import io.sluice.session.segment.SharedMemoryCorruptedException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The channel's description and header: the description survives encode/decode, refuses impossible geometry, and an
 * application refuses a channel whose header or memfd disagrees with it, with a message naming channel and field.
 */
@Timeout(30)
class CutThroughDescriptionTest {

    @Test
    void encodeThenDecodeGivesTheSameDescription() throws Exception {
        try (ChannelFixture f = ChannelFixture.open(11, 8, 4096)) {
            CutThroughDescription d = f.channel.description();
            ByteBuffer buffer = ByteBuffer.allocate(CutThroughDescription.ENCODED_BYTES + 3);
            buffer.put((byte) 7);
            d.encode(buffer);
            assertEquals(1 + CutThroughDescription.ENCODED_BYTES, buffer.position());
            buffer.flip().get();
            assertEquals(d, CutThroughDescription.decode(buffer));
            assertEquals(0, buffer.remaining());
            assertEquals(11, d.channelId());
            assertEquals(8, d.sessionSlots());
            assertEquals(128, d.queueSlotCount(), "two undrained events per session and one drain's worth");
            assertEquals(CutThroughEvent.SLOT_SIZE, d.queueSlotSize());
        }
    }

    @Test
    void decodeRefusesShortInputAndBadFields() throws Exception {
        try (ChannelFixture f = ChannelFixture.open(12, 2, 4096)) {
            CutThroughDescription d = f.channel.description();
            ByteBuffer buffer = ByteBuffer.allocate(CutThroughDescription.ENCODED_BYTES);
            d.encode(buffer);

            IllegalArgumentException shortInput = assertThrows(IllegalArgumentException.class,
                    () -> CutThroughDescription.decode(ByteBuffer.wrap(buffer.array(), 0, 79)));
            assertTrue(shortInput.getMessage().contains("needs 80 bytes, 79 remain"), shortInput.getMessage());

            ByteBuffer beyond = ByteBuffer.wrap(buffer.array().clone()).order(ByteOrder.LITTLE_ENDIAN);
            beyond.putInt(28, (int) d.channelSegmentSize()); // toConnector offset at the segment's end
            IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
                    () -> CutThroughDescription.decode(beyond));
            assertTrue(outside.getMessage().startsWith("cut-through channel 12 description: toConnector queue ends"),
                    outside.getMessage());

            ByteBuffer unaligned = ByteBuffer.wrap(buffer.array().clone()).order(ByteOrder.LITTLE_ENDIAN);
            unaligned.putInt(24, 65); // toAccepter offset
            assertTrue(assertThrows(IllegalArgumentException.class, () -> CutThroughDescription.decode(unaligned))
                    .getMessage().contains("toAccepter queue offset 65"));

            ByteBuffer tooManySlots = ByteBuffer.wrap(buffer.array().clone()).order(ByteOrder.LITTLE_ENDIAN);
            tooManySlots.putInt(56, 1000); // sessions whose FIFOs do not fit the FIFO segment
            assertTrue(assertThrows(IllegalArgumentException.class, () -> CutThroughDescription.decode(tooManySlots))
                    .getMessage().contains("do not fit the FIFO segment"));
        }
    }

    @Test
    void descriptorRolesAreNewCodesAfterTheAttachOnes() {
        assertEquals(List.of(FdRole.CUT_THROUGH_SEGMENT_MEMFD, FdRole.CUT_THROUGH_FIFO_MEMFD,
                FdRole.PEER_WORKER_EVENTFD), CutThroughDescription.FD_ROLES);
        assertEquals(4, FdRole.CUT_THROUGH_SEGMENT_MEMFD.code());
        assertEquals(5, FdRole.CUT_THROUGH_FIFO_MEMFD.code());
        assertEquals(6, FdRole.PEER_WORKER_EVENTFD.code());
        for (FdRole role : FdRole.values()) {
            assertEquals(role, FdRole.ofCode(role.code()));
        }
    }

    @Test
    void aHeaderWithABadMagicIsRefused() throws Exception {
        try (ChannelFixture f = ChannelFixture.open(13, 2, 4096);
                SharedMemory scribbler = SharedMemory.map(f.channel.channelMemfd(),
                        f.channel.description().channelSegmentSize())) {
            scribbler.segment().set(JAVA_INT, ChannelLayout.MAGIC_OFFSET, 0x0bad_f00d);
            SharedMemoryCorruptedException e = assertThrows(SharedMemoryCorruptedException.class,
                    () -> ChannelFixture.openEnd(f.channel, CutThroughRole.CONNECTOR, f.accepterWakeup));
            assertEquals("cut-through channel 13 segment 113: header magic 0xbadf00d, expected 0x534c4354",
                    e.getMessage());
        }
    }

    @Test
    void aHeaderOffsetThatDiffersFromTheDescriptionIsRefused() throws Exception {
        try (ChannelFixture f = ChannelFixture.open(14, 2, 4096);
                SharedMemory scribbler = SharedMemory.map(f.channel.channelMemfd(),
                        f.channel.description().channelSegmentSize())) {
            MemorySegment header = scribbler.segment();
            header.set(JAVA_INT, ChannelLayout.TO_CONNECTOR_OFFSET_OFFSET, 1 << 30);
            SharedMemoryCorruptedException e = assertThrows(SharedMemoryCorruptedException.class,
                    () -> ChannelFixture.openEnd(f.channel, CutThroughRole.ACCEPTER, f.connectorWakeup));
            assertTrue(e.getMessage().contains("header toConnector offset 1073741824 differs from the described "
                    + f.channel.description().toConnectorOffset()), e.getMessage());
        }
    }

    @Test
    void aQueueRewrittenForManyProducersIsRefused() throws Exception {
        try (ChannelFixture f = ChannelFixture.open(17, 2, 4096);
                SharedMemory scribbler = SharedMemory.map(f.channel.channelMemfd(),
                        f.channel.description().channelSegmentSize())) {
            long producers = f.channel.description().toAccepterOffset() + QueueLayout.PRODUCERS_OFFSET;
            scribbler.segment().set(JAVA_INT, producers, 2); // MULTIPLE: a view would then claim with CAS
            SharedMemoryCorruptedException e = assertThrows(SharedMemoryCorruptedException.class,
                    () -> ChannelFixture.openEnd(f.channel, CutThroughRole.ACCEPTER, f.connectorWakeup));
            assertEquals("cut-through channel 17 queue toAccepter: 128 slots for MULTIPLE producers, described as 128"
                    + " single-producer slots", e.getMessage());
        }
    }

    @Test
    void aDescriptionLargerThanTheMemfdIsRefused() throws Exception {
        try (ChannelFixture f = ChannelFixture.open(15, 2, 4096)) {
            CutThroughDescription d = f.channel.description();
            long page = SharedMemory.pageSize();
            CutThroughDescription bigger = new CutThroughDescription(d.channelId(), d.channelSegmentId(),
                    d.channelSegmentSize() + page, d.toAccepterOffset(), d.toConnectorOffset(), d.queueSlotCount(),
                    d.queueSlotSize(), d.fifoSegmentId(), d.fifoSegmentSize(), d.sessionSlots(), d.fifoSlotBytes(),
                    d.toAccepterFifoBytes(), d.toConnectorFifoBytes());
            SharedMemoryCorruptedException e = assertThrows(SharedMemoryCorruptedException.class,
                    () -> ChannelFixture.openEnd(f.channel, bigger, CutThroughRole.CONNECTOR, f.accepterWakeup));
            assertEquals("cut-through channel 15 (CONNECTOR): channel segment 115 is described as "
                    + (d.channelSegmentSize() + page) + " bytes but its memfd has " + d.channelSegmentSize(),
                    e.getMessage());
        }
    }

    @Test
    void aFifoWhoseCapacityWasRewrittenIsRefusedOnFirstUse() throws Exception {
        try (ChannelFixture f = ChannelFixture.open(16, 2, 4096);
                SharedMemory scribbler = SharedMemory.map(f.channel.fifoMemfd(),
                        f.channel.description().fifoSegmentSize())) {
            long rx = f.channel.description().toConnectorFifoOffset(1);
            scribbler.segment().set(JAVA_INT, rx + FifoLayout.CAPACITY_OFFSET, 64);
            SharedMemoryCorruptedException e = assertThrows(SharedMemoryCorruptedException.class,
                    () -> f.connector.fifoFromPeer(1));
            assertEquals("cut-through channel 16 slot 1: FIFO capacity 64, described as 4096", e.getMessage());
            assertEquals(4096, f.connector.fifoFromPeer(0).capacity(), "the other slots are still usable");
        }
    }
}
