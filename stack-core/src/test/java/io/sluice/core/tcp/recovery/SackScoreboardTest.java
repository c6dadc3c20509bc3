package io.sluice.core.tcp.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SACK bookkeeping (RFC 2018, RFC 2883) and the RFC 6675 functions on a flight of ten 1000-octet segments, at an
 * ordinary initial sequence number and at ones where the flight wraps past 2^32.
 */
class SackScoreboardTest {

    private static final int SMSS = 1000;
    private static final int[] NO_BLOCKS = new int[0];

    /** Scoreboard whose ten segments [iss + 1000k, iss + 1000(k+1)) are all sent. */
    private static SackScoreboard flight(int iss) {
        SackScoreboard board = new SackScoreboard(SackScoreboard.DEFAULT_CAPACITY, SMSS, iss);
        board.onDataSent(iss + 10 * SMSS);
        return board;
    }

    /** SACK blocks of whole segments: pairs of (first segment, segments). */
    private static int[] segs(int iss, int... firstAndCount) {
        int[] blocks = new int[firstAndCount.length];
        for (int i = 0; i < firstAndCount.length; i += 2) {
            blocks[i] = iss + firstAndCount[i] * SMSS;
            blocks[i + 1] = blocks[i] + firstAndCount[i + 1] * SMSS;
        }
        return blocks;
    }

    private static long ack(SackScoreboard board, int ack, int... blocks) {
        return board.onAck(ack, blocks, blocks.length / 2);
    }

    private static void assertRanges(SackScoreboard board, int... startEnd) {
        assertEquals(startEnd.length / 2, board.rangeCount(), "ranges");
        long bytes = 0;
        for (int i = 0; i < startEnd.length; i += 2) {
            assertEquals(startEnd[i], board.rangeStart(i / 2), "start of range " + i / 2);
            assertEquals(startEnd[i + 1], board.rangeEnd(i / 2), "end of range " + i / 2);
            bytes += Integer.toUnsignedLong(startEnd[i + 1] - startEnd[i]);
        }
        assertEquals(bytes, board.sackedBytes());
    }

    @ParameterizedTest
    @ValueSource(ints = {1000, 0xFFFF_E000, 0xFFFF_FC18, -1})
    void blocksMergeInAnyOrder(int iss) {
        SackScoreboard board = flight(iss);
        assertEquals(1000, ack(board, iss, segs(iss, 5, 1)));
        assertEquals(1000, ack(board, iss, segs(iss, 2, 1, 5, 1))); // the old block again adds nothing
        assertRanges(board, iss + 2000, iss + 3000, iss + 5000, iss + 6000);
        assertEquals(2000, ack(board, iss, segs(iss, 3, 2))); // touches both: one range
        assertRanges(board, iss + 2000, iss + 6000);
        assertEquals(500, ack(board, iss, iss + 1500, iss + 2500)); // overlaps the lower edge
        assertEquals(1000, ack(board, iss, iss + 5500, iss + 7000));
        assertRanges(board, iss + 1500, iss + 7000);
        assertEquals(0, ack(board, iss, iss + 3000, iss + 4000)); // inside: nothing new
        assertEquals(iss + 7000, board.highSacked());
        assertEquals(iss, board.sndUna());
    }

    @ParameterizedTest
    @ValueSource(ints = {1000, 0xFFFF_E000, -1})
    void cumulativeAckDropsAndTrimsRanges(int iss) {
        SackScoreboard board = flight(iss);
        ack(board, iss, segs(iss, 1, 1, 3, 2, 7, 1));
        ack(board, iss + 3500);
        assertRanges(board, iss + 3500, iss + 5000, iss + 7000, iss + 8000);
        assertEquals(iss + 3500, board.sndUna());
        ack(board, iss + 10 * SMSS);
        assertRanges(board);
        assertFalse(board.hasSacked());
        assertEquals(iss + 10 * SMSS, board.highSacked());
    }

    @Test
    void forgettingSackedRangesMakesThemHolesAgain() {
        SackScoreboard board = flight(0);
        ack(board, 1000, 3000, 5000);
        assertEquals(2000, board.sackedBytes());
        board.forgetSacked();
        assertEquals(0, board.sackedBytes());
        assertFalse(board.hasSacked());
        assertEquals(1000, board.sndUna());
    }

    @Test
    void invalidBlocksAreIgnoredAndCounted() {
        int iss = 0xFFFF_F000;
        SackScoreboard board = flight(iss);
        ack(board, iss + 2000);
        assertEquals(0, ack(board, iss + 2000, iss + 5000, iss + 4000)); // empty (reversed)
        assertEquals(0, ack(board, iss + 2000, iss + 9000, iss + 11_000)); // above SND.NXT
        assertEquals(1000, ack(board, iss + 2000, iss + 5000, iss + 6000, iss + 500, iss + 1000)); // 2nd below
        assertEquals(3, board.ignoredBlocks());
        assertRanges(board, iss + 5000, iss + 6000);
        // A first block straddling the ACK is trimmed to SND.UNA.
        assertEquals(1000, ack(board, iss + 2000, iss + 1000, iss + 3000, iss + 5000, iss + 6000));
        assertEquals(0, board.dsacks()); // a first block reaching above the ACK is no D-SACK
        assertRanges(board, iss + 2000, iss + 3000, iss + 5000, iss + 6000);
    }

    @Test
    void dsackBelowTheAckIsReportedNotStored() {
        SackScoreboard board = flight(0);
        ack(board, 3000);
        assertEquals(0, ack(board, 3000, 1000, 2000)); // RFC 2883 §4: first block below the cumulative ACK
        assertTrue(board.lastAckHadDsack());
        assertEquals(1000, board.dsackStart());
        assertEquals(2000, board.dsackEnd());
        assertEquals(1, board.dsacks());
        assertRanges(board);
        ack(board, 4000);
        assertFalse(board.lastAckHadDsack());
    }

    @Test
    void dsackInsideTheSecondBlockIsReportedNotStored() {
        SackScoreboard board = flight(0);
        ack(board, 1000, 6000, 8000);
        assertEquals(0, ack(board, 1000, 6000, 7000, 6000, 8000)); // RFC 2883 §4: first block within the second
        assertTrue(board.lastAckHadDsack());
        assertEquals(1, board.dsacks());
        assertRanges(board, 6000, 8000);
    }

    @Test
    void overflowForgetsTheHighestRange() {
        SackScoreboard board = new SackScoreboard(3, SMSS, 0);
        board.onDataSent(20 * SMSS);
        ack(board, 0, segs(0, 2, 1, 4, 1, 6, 1));
        assertEquals(0, ack(board, 0, segs(0, 8, 1))); // highest and no room: the new one is forgotten
        assertEquals(1, board.overflows());
        assertRanges(board, 2000, 3000, 4000, 5000, 6000, 7000);
        ack(board, 0, segs(0, 0, 1)); // lowest: the highest held gives way
        assertEquals(2, board.overflows());
        assertRanges(board, 0, 1000, 2000, 3000, 4000, 5000);
        ack(board, 0, segs(0, 1, 1)); // merges: no slot needed
        assertEquals(2, board.overflows());
        assertRanges(board, 0, 3000, 4000, 5000);
        ack(board, 0, segs(0, 10, 1, 12, 1));
        assertEquals(3, board.overflows());
        assertRanges(board, 0, 3000, 4000, 5000, 10_000, 11_000);
    }

    @Test
    void fullScoreboardStaysSortedUnderManyBlocks() {
        SackScoreboard board = new SackScoreboard(8, SMSS, 7);
        board.onDataSent(7 + 100 * SMSS);
        for (int k = 99; k >= 1; k -= 2) { // every other segment, highest first
            ack(board, 7, segs(7, k, 1));
        }
        assertEquals(8, board.rangeCount());
        for (int i = 0; i < 8; i++) {
            assertEquals(7 + (1 + 2 * i) * SMSS, board.rangeStart(i));
        }
        assertEquals(8L * SMSS, board.sackedBytes());
    }

    // ---- IsLost (RFC 6675 §4) ----------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(ints = {0, 0xFFFF_E000})
    void isLostByThreeDiscontiguousRanges(int iss) {
        SackScoreboard board = flight(iss);
        ack(board, iss, segs(iss, 1, 1, 3, 1));
        assertFalse(board.isLost(iss)); // two ranges, 2000 octets: not more than 2 * SMSS
        ack(board, iss, segs(iss, 5, 1));
        assertTrue(board.isLost(iss));
        assertTrue(board.isLost(iss + 999));
        assertFalse(board.isLost(iss + 2000)); // two ranges above
    }

    @Test
    void isLostByMoreThanTwoSegmentsOfOctets() {
        SackScoreboard board = flight(0);
        ack(board, 0, segs(0, 1, 2));
        assertFalse(board.isLost(0)); // exactly (DupThresh - 1) * SMSS
        ack(board, 0, 3000, 3001);
        assertTrue(board.isLost(0));
        assertFalse(board.isLost(1001)); // above 1001 (from 1002 on) only 1999 octets
    }

    // ---- SetPipe and NextSeg (RFC 6675 §4, §5) -----------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(ints = {0, 0xFFFF_E000, 0xFFFF_FFFF})
    void firstSegmentLostThenRetransmitted(int iss) {
        SackScoreboard board = flight(iss);
        ack(board, iss, segs(iss, 1, 3)); // three duplicate ACKs' worth: segments 1-3 SACKed
        assertTrue(board.isLost(iss));
        assertEquals(6000, board.pipe()); // the lost hole counts nothing, segments 4-9 count
        assertTrue(board.canEnterRecovery());
        assertEquals(NextSegRule.RETRANSMIT_LOST, board.enterRecovery());
        assertFalse(board.canEnterRecovery());
        assertEquals(iss + 10 * SMSS, board.recoveryPoint());
        assertEquals(iss, board.nextStart());
        assertEquals(iss + 1000, board.nextEnd());
        board.markNextSegSent();
        assertEquals(7000, board.pipe()); // the retransmission is in flight
        // Rule 2: new data; rules 1 and 3 have nothing below the highest SACK any more.
        assertEquals(NextSegRule.SEND_NEW, board.nextSeg(600));
        assertEquals(iss + 10_000, board.nextStart());
        assertEquals(iss + 10_600, board.nextEnd());
        board.markNextSegSent();
        assertEquals(iss + 10_600, board.sndNxt());
        assertEquals(7600, board.pipe());
        // The retransmission arrives: the ACK covers segments 0-3.
        ack(board, iss + 4000);
        assertEquals(6600, board.pipe());
        assertFalse(board.hasSacked());
    }

    @Test
    void rulesThreeAndFourWhenNothingIsDeemedLost() {
        SackScoreboard board = flight(0);
        ack(board, 0, segs(0, 2, 1)); // one segment SACKed: nothing is lost yet
        assertFalse(board.isLost(0));
        assertEquals(9000, board.pipe());
        // E.g. RACK decided to start recovery: RFC 6675 §5 step 4.3 retransmits the first unSACKed segment anyway.
        assertEquals(NextSegRule.RETRANSMIT_LOST, board.enterRecovery());
        assertEquals(0, board.nextStart());
        assertEquals(1000, board.nextEnd());
        board.markNextSegSent();
        assertEquals(NextSegRule.SEND_NEW, board.nextSeg(SMSS)); // rule 2 precedes rule 3
        assertEquals(NextSegRule.RETRANSMIT_UNSACKED, board.nextSeg(0));
        assertEquals(1000, board.nextStart());
        assertEquals(2000, board.nextEnd());
        board.markNextSegSent();
        assertEquals(2000, board.highRxt());
        assertEquals(9000 + 2000, board.pipe());
        // Rule 4 waits until the first retransmission is acknowledged (RescueRxt was set to its end).
        assertEquals(NextSegRule.NONE, board.nextSeg(0));
        ack(board, 2000);
        // Now one rescue segment ending at the highest unSACKed octet, HighRxt unchanged.
        assertEquals(NextSegRule.RESCUE, board.nextSeg(0));
        assertEquals(9000, board.nextStart());
        assertEquals(10_000, board.nextEnd());
        board.markNextSegSent();
        assertEquals(2000, board.highRxt());
        assertEquals(NextSegRule.NONE, board.nextSeg(0)); // only one rescue per recovery
        ack(board, 3000);
        assertEquals(NextSegRule.NONE, board.nextSeg(0)); // HighACK not yet above RescueRxt = RecoveryPoint
    }

    @Test
    void rescueEndsBelowATopSackedRange() {
        SackScoreboard board = flight(0);
        ack(board, 0, segs(0, 9, 1));
        board.enterRecovery(); // [0, 1000)
        board.markNextSegSent();
        for (int i = 1; i < 9; i++) {
            assertEquals(NextSegRule.RETRANSMIT_UNSACKED, board.nextSeg(0));
            board.markNextSegSent();
        }
        ack(board, 1000);
        assertEquals(NextSegRule.NONE, board.nextSeg(0)); // HighACK (999) is not above RescueRxt (999) yet
        ack(board, 2000);
        assertEquals(NextSegRule.RESCUE, board.nextSeg(0));
        assertEquals(NextSegRule.RESCUE, board.nextSeg(0)); // asking again changes nothing
        assertEquals(8000, board.nextStart());
        assertEquals(9000, board.nextEnd());
    }

    @Test
    void retransmissionsStopAtTheHoleAndSkipSackedData() {
        SackScoreboard board = flight(0);
        ack(board, 0, 500, 1000, 2000, 3000, 4000, 5000);
        // [0, 500) has three discontiguous ranges above it: lost, and retransmitted only up to the hole's end.
        assertEquals(NextSegRule.RETRANSMIT_LOST, board.enterRecovery());
        assertEquals(0, board.nextStart());
        assertEquals(500, board.nextEnd());
        board.markNextSegSent();
        // [1000, 2000) has two ranges and 2000 octets above it: not lost, so rule 3; the SACKed [500, 1000) is
        // skipped.
        assertEquals(NextSegRule.RETRANSMIT_UNSACKED, board.nextSeg(0));
        assertEquals(1000, board.nextStart());
        assertEquals(2000, board.nextEnd());
        board.markNextSegSent();
        assertEquals(NextSegRule.RETRANSMIT_UNSACKED, board.nextSeg(0));
        assertEquals(3000, board.nextStart());
        assertEquals(4000, board.nextEnd());
        // pipe: [0,500) lost but retransmitted 500; [1000,2000) in flight and retransmitted 2000; [3000,4000)
        // 1000; [5000,10000) 5000.
        assertEquals(500 + 2000 + 1000 + 5000, board.pipe());
    }

    @Test
    void timeoutEndsRecoveryButKeepsSackInformation() {
        SackScoreboard board = flight(0);
        ack(board, 0, segs(0, 1, 3));
        board.enterRecovery();
        board.markNextSegSent();
        board.onRetransmitTimeout();
        assertFalse(board.inRecovery());
        assertEquals(0, board.highRxt());
        assertEquals(3000, board.sackedBytes());
        assertEquals(6000, board.pipe());
        assertEquals(NextSegRule.RETRANSMIT_LOST, board.nextSeg(0)); // the SACK information still finds it
        assertEquals(0, board.nextStart());
        // No new recovery until SND.UNA reaches what SND.NXT was at the timeout.
        assertFalse(board.canEnterRecovery());
        ack(board, 9000);
        assertFalse(board.canEnterRecovery());
        ack(board, 10_000);
        assertTrue(board.canEnterRecovery());
    }

    @Test
    void emptyAckChangesNothing() {
        SackScoreboard board = flight(5);
        assertEquals(0, board.onAck(5, NO_BLOCKS, 0));
        assertEquals(10_000, board.pipe());
        assertEquals(NextSegRule.NONE, board.nextSeg(0));
        assertEquals(NextSegRule.NONE, new SackScoreboard(4, SMSS, 5).enterRecovery()); // nothing outstanding
    }
}
