package io.sluice.core.tcp.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The ring of sent segments: appends, cumulative and selective acknowledgement, wrap of ring and sequence. */
class SentSegmentLogTest {

    @Test
    void fullLogRefusesAndAckFreesSlots() {
        SentSegmentLog log = new SentSegmentLog(4);
        int seq = 0xFFFF_F000; // sequence numbers wrap inside the flight
        for (int i = 0; i < 4; i++) {
            assertTrue(log.append(seq + 1000 * i, seq + 1000 * (i + 1), i));
        }
        assertFalse(log.append(seq + 4000, seq + 5000, 4));
        assertFalse(new SentSegmentLog(2).append(5, 5, 0)); // empty segment
        assertEquals(2, log.acknowledge(seq + 2500)); // two whole, the third in part
        assertEquals(2, log.size());
        assertEquals(seq + 2500, log.startSeq(0));
        assertEquals(seq + 3000, log.endSeq(0));
        assertEquals(2, log.xmitTime(0));
        for (int i = 4; i < 6; i++) { // the ring wraps
            assertTrue(log.append(seq + 1000 * i, seq + 1000 * (i + 1), i));
        }
        assertEquals(4, log.size());
        assertEquals(seq + 6000, log.endSeq(3));
        assertEquals(5, log.xmitTime(3));
    }

    @Test
    void sackMarksOnlyWholeSegments() {
        SentSegmentLog log = new SentSegmentLog(8);
        for (int i = 0; i < 6; i++) {
            log.append(1000 * i, 1000 * (i + 1), i);
        }
        assertEquals(2, log.sack(1500, 4000)); // segment 1 only in part: 2 and 3
        assertFalse(log.sacked(1));
        assertTrue(log.sacked(2) && log.sacked(3));
        assertEquals(0, log.sack(2000, 3000)); // already
        assertEquals(2, log.sackedCount());
        assertEquals(3, log.indexOf(3000));
        assertEquals(0, log.indexOf(-5));
        assertEquals(6, log.indexOf(6000));
    }

    @Test
    void forgettingSackedMarksLeavesTheOtherFlags() {
        SentSegmentLog log = new SentSegmentLog(4);
        log.append(0, 100, 1);
        log.append(100, 200, 2);
        log.sack(100, 200);
        log.markLost(0);
        log.forgetSacked();
        assertEquals(0, log.sackedCount());
        assertTrue(log.lost(0));
        assertEquals(2, log.size());
    }

    @Test
    void lostUntilRetransmitted() {
        SentSegmentLog log = new SentSegmentLog(2);
        log.append(0, 100, 7);
        log.markLost(0);
        assertTrue(log.lost(0));
        log.onRetransmitted(0, 9);
        assertFalse(log.lost(0));
        assertTrue(log.retransmitted(0));
        assertEquals(9, log.xmitTime(0));
    }

    @Test
    void capacityMustBeAPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new SentSegmentLog(3));
        assertThrows(IllegalArgumentException.class, () -> new SentSegmentLog(1));
    }
}
