package io.sluice.session.cut;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.session.segment.FifoPair;
import io.sluice.session.segment.SegmentException;
import io.sluice.session.testing.OpenMemfds;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The stack's side: slots handed out and back without leaks, limits with clear messages, nothing left at close. */
@Timeout(60)
class CutThroughChannelTest {

    @Test
    void slotsComeBackAfterManySessions() throws Exception {
        try (ChannelFixture f = ChannelFixture.open(21, 16, 1024)) {
            Random random = new Random(21);
            List<FifoPair> held = new ArrayList<>();
            Set<Integer> slots = new HashSet<>();
            for (int round = 0; round < 20_000; round++) {
                if (held.size() < 16 && (held.isEmpty() || random.nextBoolean())) {
                    FifoPair pair = f.channel.allocate();
                    assertTrue(slots.add(pair.slot()), "slot " + pair.slot() + " handed out twice");
                    assertTrue(pair.tx().isEmpty() && pair.rx().isEmpty(), "a re-used pair starts empty");
                    pair.tx().enqueue(new byte[] {1, 2, 3}, 0, 3); // left behind for the next session to not see
                    held.add(pair);
                } else {
                    FifoPair pair = held.remove(random.nextInt(held.size()));
                    slots.remove(pair.slot());
                    f.channel.free(pair.slot());
                }
                assertEquals(held.size(), f.channel.inUse());
            }
            for (FifoPair pair : held) {
                f.channel.free(pair.slot());
            }
            assertEquals(0, f.channel.inUse());
        }
    }

    @Test
    void theSlotLimitNamesBothApplicationsAndTheLimit() throws Exception {
        try (ChannelFixture f = ChannelFixture.open(22, 3, 1024)) {
            for (int i = 0; i < 3; i++) {
                f.channel.allocate();
            }
            SegmentException e = assertThrows(SegmentException.class, f.channel::allocate);
            assertEquals("cut-through channel 22 from application 1 (client-app) worker 0 to application 2"
                    + " (server-app) worker 3: all 3 session slots are in use (the channel's limit)", e.getMessage());
            f.channel.free(1);
            assertEquals(1, f.channel.allocate().slot(), "the freed slot is handed out again");
        }
    }

    @Test
    void freeingASlotNotInUseOrOutsideTheChannelIsRefused() throws Exception {
        try (ChannelFixture f = ChannelFixture.open(23, 2, 1024)) {
            int slot = f.channel.allocate().slot();
            f.channel.free(slot);
            assertEquals("cut-through channel 23: slot " + slot + " is not in use",
                    assertThrows(IllegalStateException.class, () -> f.channel.free(slot)).getMessage());
            assertEquals("cut-through channel 23: slot 2 outside [0, 2)",
                    assertThrows(IllegalArgumentException.class, () -> f.channel.free(2)).getMessage());
        }
    }

    @Test
    void aSessionLimitBeyondTheMaximumIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CutThroughChannel.create(24, 1, 2, ChannelFixture.CONNECTOR_APP, ChannelFixture.ACCEPTER_APP,
                        CutThroughChannel.MAX_SESSION_SLOTS + 1, 1024, 1024));
        assertEquals("cut-through channel 24 from application 1 (client-app) worker 0 to application 2 (server-app)"
                + " worker 3: 4097 session slots, the limit is 1 to 4096", e.getMessage());
        assertEquals(0, OpenMemfds.count("sluice-cut-24"), "nothing made before the refusal");
    }

    @Test
    void closingTheChannelAndItsEndsLeavesNoMemfdOpen() throws Exception {
        String prefix = "sluice-cut-25";
        ChannelFixture f = ChannelFixture.open(25, 4, 4096);
        try {
            assertEquals(2, OpenMemfds.count(prefix), "the channel segment and the FIFO segment");
            f.connector.fifoToPeer(0).enqueue(new byte[] {9}, 0, 1);
            assertEquals(1, f.accepter.fifoFromPeer(0).readableBytes(), "the ends share the FIFOs");
        } finally {
            f.close();
        }
        assertTrue(f.channel.isClosed());
        assertEquals(0, OpenMemfds.count(prefix), "no memfd of the channel left in /proc/self/fd");
        assertThrows(IllegalStateException.class, () -> f.connector.fifoToPeer(0).freeSpace(),
                "a view used after close fails instead of touching unmapped memory");
        assertThrows(SegmentException.class, f.channel::allocate);
    }
}
