package io.sluice.core.tcp.cc;

import static io.sluice.core.tcp.cc.CongestionControl.NO_RTT_SAMPLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** NewReno's window against RFC 5681, RFC 3465, RFC 6582 and RFC 6928, value by value. */
class NewRenoTest {

    private static final int SMSS = 1460;
    private static final long RTT = 50_000_000;

    @Test
    void initialWindowIsIw10CappedAt14600Bytes() {
        assertEquals(10 * 1000, new NewReno(1000).cwnd());
        assertEquals(14600, new NewReno(1460).cwnd()); // min(14600, max(2920, 14600))
        assertEquals(14600, new NewReno(4000).cwnd()); // 10 * 4000 capped at max(8000, 14600)
        assertEquals(2 * 9000, new NewReno(9000).cwnd()); // jumbo: 2 segments
        assertEquals(Long.MAX_VALUE, new NewReno(SMSS).ssthresh());
        assertTrue(new NewReno(SMSS).inSlowStart());
    }

    @Test
    void handshakeRetransmissionMakesTheInitialWindowOneSegment() {
        NewReno cc = new NewReno(SMSS);
        cc.onHandshakeRetransmission();
        assertEquals(SMSS, cc.cwnd());
    }

    @Test
    void slowStartDoublesEveryRoundTrip() {
        AckClock clock = new AckClock(new NewReno(1000), RTT, 0);
        long expected = 10_000;
        for (int round = 0; round < 8; round++) {
            expected *= 2;
            assertEquals(expected, clock.roundTrip(), "round " + round);
        }
    }

    @Test
    void slowStartWithDelayedAcksStillDoublesBecauseLIsTwoSegments() {
        AckClock clock = new AckClock(new NewReno(1000), RTT, 0);
        assertEquals(20_000, clock.roundTrip(2));
        assertEquals(40_000, clock.roundTrip(2));
    }

    @Test
    void oneAckGrowsTheWindowByAtMostTwoSegments() {
        NewReno cc = new NewReno(1000);
        cc.onAck(1, 7000, RTT, 10_000, false); // a stretch ACK of 7 segments: RFC 3465 §2.2, L = 2 SMSS
        assertEquals(12_000, cc.cwnd());
        cc.onAck(2, 500, RTT, 12_000, false); // less than a segment counts as what it is
        assertEquals(12_500, cc.cwnd());
    }

    @Test
    void slowStartStopsAtSsthreshAndTheRestCountsTowardsCongestionAvoidance() {
        NewReno cc = new NewReno(1000);
        cc.onRetransmitTimeout(0, 30_000); // ssthresh 15000, cwnd 1000
        AckClock clock = new AckClock(cc, RTT, 0);
        long cwnd = clock.roundTrip();
        for (int round = 0; round < 10 && cc.inSlowStart(); round++) {
            cwnd = clock.roundTrip();
        }
        assertEquals(15_000, cwnd);
        assertFalse(cc.inSlowStart());
    }

    @Test
    void congestionAvoidanceGrowsOneSegmentPerRoundTrip() {
        NewReno cc = new NewReno(1000);
        AckClock clock = new AckClock(cc, RTT, 0);
        clock.roundTrip();
        clock.roundTrip(); // 40 segments
        clock.lossAndRecovery();
        assertEquals(20_000, cc.ssthresh());
        assertEquals(20_000, cc.cwnd());
        for (int round = 1; round <= 30; round++) {
            assertEquals(20_000 + round * 1000L, clock.roundTrip(), "round " + round);
        }
        AckClock delayed = new AckClock(cc, RTT, clock.now);
        assertEquals(51_000, delayed.roundTrip(2)); // byte counting: delayed ACKs do not slow it down
    }

    @Test
    void lossSetsSsthreshToHalfTheFlightSizeButAtLeastTwoSegments() {
        NewReno cc = new NewReno(SMSS);
        cc.onEnterRecovery(0, 12_345); // RFC 5681 eq. 4 uses FlightSize, not cwnd
        assertEquals(6172, cc.ssthresh());
        assertEquals(6172 + 3 * SMSS, cc.cwnd()); // RFC 5681 §3.2 step 3
        NewReno small = new NewReno(SMSS);
        small.onEnterRecovery(0, 3000);
        assertEquals(2 * SMSS, small.ssthresh());
        assertEquals(5 * SMSS, small.cwnd());
    }

    @Test
    void fastRecoveryInflatesOnDuplicateAcksDeflatesOnPartialAcksAndEndsAtTheFullAck() {
        NewReno cc = new NewReno(1000);
        cc.onDuplicateAck(0, false); // before recovery: no change
        assertEquals(10_000, cc.cwnd());
        cc.onEnterRecovery(0, 100_000);
        assertEquals(50_000, cc.ssthresh());
        assertEquals(53_000, cc.cwnd());
        for (int i = 0; i < 5; i++) {
            cc.onDuplicateAck(i, true);
        }
        assertEquals(58_000, cc.cwnd()); // RFC 5681 §3.2 step 4
        cc.onAck(10, 10_000, NO_RTT_SAMPLE, 100_000, true); // RFC 6582 §3.2 step 5: −10000 + 1 SMSS
        assertEquals(49_000, cc.cwnd());
        cc.onAck(11, 400, NO_RTT_SAMPLE, 90_000, true); // less than a SMSS: no segment added back
        assertEquals(48_600, cc.cwnd());
        assertEquals(50_000, cc.ssthresh());
        cc.onRecoveryExit(12, 30_000); // step 6 (1): min(ssthresh, FlightSize + SMSS)
        assertEquals(31_000, cc.cwnd());

        NewReno full = new NewReno(1000);
        full.onEnterRecovery(0, 100_000);
        full.onRecoveryExit(1, 60_000);
        assertEquals(50_000, full.cwnd()); // ssthresh is the smaller
        NewReno drained = new NewReno(1000);
        drained.onEnterRecovery(0, 100_000);
        drained.onRecoveryExit(1, 0);
        assertEquals(2000, drained.cwnd()); // max(FlightSize, SMSS) + SMSS
    }

    @Test
    void partialAcksNeverDeflateBelowOneSegment() {
        NewReno cc = new NewReno(1000);
        cc.onEnterRecovery(0, 4000); // ssthresh 2000, cwnd 5000
        cc.onAck(1, 900_000, NO_RTT_SAMPLE, 4000, true);
        assertEquals(1000, cc.cwnd());
    }

    @Test
    void timeoutSetsTheLossWindowAndKeepsSsthreshOnRepeatedTimeouts() {
        NewReno cc = new NewReno(1000);
        cc.onRetransmitTimeout(0, 64_000);
        assertEquals(1000, cc.cwnd());
        assertEquals(32_000, cc.ssthresh());
        cc.onRetransmitTimeout(1, 64_000); // same segment timed out again: ssthresh is held (RFC 5681 §3.1)
        assertEquals(32_000, cc.ssthresh());
        assertEquals(1000, cc.cwnd());
        cc.onAck(2, 1000, NO_RTT_SAMPLE, 1000, false);
        assertEquals(2000, cc.cwnd());
        cc.onRetransmitTimeout(3, 10_000); // new data was acknowledged since: a new decrease
        assertEquals(5000, cc.ssthresh());
        assertEquals(1000, cc.cwnd());
    }

    @Test
    void slowStartAfterATimeoutCountsOneSegmentPerAck() {
        NewReno cc = new NewReno(1000);
        cc.onRetransmitTimeout(0, 64_000);
        AckClock clock = new AckClock(cc, RTT, 0);
        clock.roundTrip(1);
        clock.roundTrip(1);
        clock.roundTrip(1); // 8 segments
        assertEquals(8000, cc.cwnd());
        assertEquals(12_000, clock.roundTrip(2)); // RFC 3465 §2.3: L = 1 SMSS, 4 ACKs of 2 segments
    }

    @Test
    void anUnusedWindowDoesNotGrow() {
        NewReno cc = new NewReno(1000);
        cc.onAck(1, 1000, RTT, 4999, false); // less than half of the 10000-byte window in flight (RFC 7661)
        assertEquals(10_000, cc.cwnd());
        cc.onAck(2, 1000, RTT, 5000, false);
        assertEquals(11_000, cc.cwnd());
        cc.onAck(3, 0, RTT, 11_000, false);
        cc.onAck(4, -5, RTT, 11_000, false);
        assertEquals(11_000, cc.cwnd());
    }

    @Test
    void spuriousRecoveryIsUndoneOnce() {
        NewReno cc = new NewReno(1000);
        AckClock clock = new AckClock(cc, RTT, 0);
        clock.roundTrip();
        clock.roundTrip();
        clock.lossAndRecovery(); // 40 → 20 segments
        clock.roundTrip(); // 21
        cc.onEnterRecovery(clock.now, 21_000);
        assertEquals(10_500, cc.ssthresh());
        cc.onSpuriousCongestionEvent(clock.now);
        assertEquals(21_000, cc.cwnd());
        assertEquals(20_000, cc.ssthresh());
        cc.onSpuriousCongestionEvent(clock.now); // nothing left to undo
        assertEquals(21_000, cc.cwnd());
        cc.onRetransmitTimeout(clock.now, 21_000);
        cc.onAck(clock.now, 1000, NO_RTT_SAMPLE, 1000, false); // the window grew since the timeout
        cc.onSpuriousCongestionEvent(clock.now);
        assertEquals(21_000, cc.cwnd());
        assertEquals(20_000, cc.ssthresh());
    }

    @Test
    void anUndoFoundAfterTheWindowRecoveredKeepsTheCurrentState() {
        NewReno cc = new NewReno(1000);
        cc.onEnterRecovery(0, 100_000); // cwnd 10000 before; 53000 after
        cc.onSpuriousCongestionEvent(1); // RFC 9438 §4.9: restore only while cwnd < prior cwnd
        assertEquals(53_000, cc.cwnd());
        assertEquals(50_000, cc.ssthresh());
        NewReno changed = new NewReno(1000);
        changed.onEnterRecovery(0, 4000); // 10000 → 5000
        changed.setSmss(1200); // a new path: nothing to undo
        changed.onSpuriousCongestionEvent(1);
        assertEquals(5000, changed.cwnd());
    }

    @Test
    void smssChangesKeepTheWindowsInBytesAboveTheirMinimums() {
        NewReno cc = new NewReno(1000);
        cc.onRetransmitTimeout(0, 3000); // ssthresh 2000, cwnd 1000
        cc.setSmss(1400);
        assertEquals(1400, cc.smss());
        assertEquals(1400, cc.cwnd());
        assertEquals(2800, cc.ssthresh());
        cc.setSmss(500);
        assertEquals(1400, cc.cwnd());
        assertThrows(IllegalArgumentException.class, () -> cc.setSmss(0));
        assertThrows(IllegalArgumentException.class, () -> new NewReno(-1));
    }
}
