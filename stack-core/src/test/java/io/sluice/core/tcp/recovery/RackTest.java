package io.sluice.core.tcp.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RACK loss detection (RFC 8985 §6) with explicit times: three segments A, B, C of 1000 octets sent at 0, 1 and
 * 2 ms over a path of 10 ms RTT, where C's SACK arrives first; whether A and B are lost depends on whether their
 * ACKs come within RACK.rtt + reo_wnd of their sending.
 */
class RackTest {

    private static final long MS = RttEstimator.MILLISECOND;
    private static final long US = 1000;
    private static final long SRTT = 10 * MS;

    private final Rack rack = new Rack();
    private final SentSegmentLog log = new SentSegmentLog(16);

    private void sendThree(int iss) {
        log.append(iss, iss + 1000, 0);
        log.append(iss + 1000, iss + 2000, MS);
        log.append(iss + 2000, iss + 3000, 2 * MS);
    }

    /** Delivers log segment {@code i} by SACK at {@code now}, as the state machine would. */
    private void sackAndDeliver(int i, long now, int sndUna, int sndNxt) {
        log.sack(log.startSeq(i), log.endSeq(i));
        rack.onDelivered(log.endSeq(i), log.xmitTime(i), log.retransmitted(i), false, now);
        rack.endAck(false, sndUna, sndNxt);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 0xFFFF_F800, -1})
    void segmentsSentBeforeTheDeliveredOneAreLostAfterRttPlusReorderingWindow(int iss) {
        sendThree(iss);
        sackAndDeliver(2, 12 * MS, iss, iss + 3000); // C: RTT 10 ms
        assertEquals(10 * MS, rack.rtt());
        assertEquals(10 * MS, rack.minRtt());
        assertEquals(2 * MS, rack.xmitTs());
        assertEquals(iss + 3000, rack.endSeq());
        assertEquals(2500 * US, rack.reoWnd(false, 1, SRTT)); // min RTT / 4
        // A expires at 0 + 10 + 2.5 = 12.5 ms, B at 13.5 ms: the timer is for the later one (§6.2 step 5).
        assertEquals(1500 * US, rack.detectLoss(log, 12 * MS, false, SRTT));
        assertEquals(0, rack.lastLost());
        assertEquals(1000 * US, rack.detectLoss(log, 12500 * US, false, SRTT));
        assertEquals(1, rack.lastLost());
        assertTrue(log.lost(0));
        assertFalse(log.lost(1));
        assertEquals(0, rack.detectLoss(log, 13500 * US, false, SRTT)); // the timer fires: B is lost too
        assertEquals(1, rack.lastLost()); // A was already lost and is not counted again
        assertTrue(log.lost(1));
        assertFalse(log.lost(2));
    }

    @Test
    void reorderingWithinTheWindowIsNotLoss() {
        sendThree(0);
        sackAndDeliver(2, 12 * MS, 0, 3000);
        assertEquals(1500 * US, rack.detectLoss(log, 12 * MS, false, SRTT));
        sackAndDeliver(0, 12400 * US, 0, 3000); // A arrives late: below RACK.fack, never retransmitted
        assertTrue(rack.reorderingSeen());
        assertEquals(12400 * US, rack.rtt()); // RACK.rtt follows the ACK's newest delivered segment
        assertEquals(2 * MS, rack.xmitTs()); // but C stays the most recently sent delivered segment
        // B: 1 + 12.4 + 2.5 - 12.4 = 3.5 ms still to go.
        assertEquals(3500 * US, rack.detectLoss(log, 12400 * US, false, SRTT));
        sackAndDeliver(1, 13 * MS, 0, 3000);
        assertEquals(0, rack.detectLoss(log, 13 * MS, false, SRTT));
        assertFalse(log.lost(0) || log.lost(1) || log.lost(2));
    }

    @Test
    void withoutReorderingTheWindowClosesInRecoveryOrWithThreeSacked() {
        sendThree(0);
        sackAndDeliver(2, 12 * MS, 0, 3000);
        assertEquals(0, rack.reoWnd(true, 1, SRTT));
        assertEquals(0, rack.reoWnd(false, 3, SRTT));
        // In recovery A is lost as soon as RACK.rtt has passed since it was sent: 0 + 10 <= 12.
        assertEquals(0, rack.detectLoss(log, 12 * MS, true, SRTT));
        assertTrue(log.lost(0) && log.lost(1));
        // Once reordering was seen the window stays open even in recovery.
        sackAndDeliver(0, 13 * MS, 0, 3000);
        assertEquals(2500 * US, rack.reoWnd(true, 3, SRTT));
    }

    @Test
    void reorderingWindowIsBoundedBySrtt() {
        sendThree(0);
        sackAndDeliver(2, 42 * MS, 0, 3000); // RTT 40 ms: min RTT / 4 = 10 ms
        assertEquals(10 * MS, rack.reoWnd(false, 0, 20 * MS));
        assertEquals(6 * MS, rack.reoWnd(false, 0, 6 * MS));
    }

    @Test
    void dsackWidensTheWindowOncePerRoundAndSixteenRecoveriesShrinkIt() {
        sendThree(0);
        sackAndDeliver(2, 42 * MS, 0, 3000); // min RTT 40 ms
        rack.endAck(true, 0, 3000);
        assertEquals(2, rack.reoWndMult());
        assertEquals(20 * MS, rack.reoWnd(false, 0, SRTT * 10));
        rack.endAck(true, 2000, 5000); // same round: SND.UNA has not reached 3000
        assertEquals(2, rack.reoWndMult());
        rack.endAck(true, 3000, 6000); // next round
        assertEquals(3, rack.reoWndMult());
        for (int i = 0; i < Rack.REO_WND_PERSIST - 1; i++) {
            rack.onRecoveryExit();
            assertEquals(3, rack.reoWndMult());
        }
        rack.onRecoveryExit();
        assertEquals(1, rack.reoWndMult());
    }

    @Test
    void retransmittedSegmentsGiveNoAmbiguousSample() {
        sendThree(0);
        sackAndDeliver(2, 12 * MS, 0, 3000); // min RTT 10 ms
        log.onRetransmitted(0, 20 * MS);
        assertTrue(log.retransmitted(0));
        // The ACK came 5 ms after the retransmission: shorter than min RTT, so it was for the original.
        rack.onDelivered(1000, log.xmitTime(0), true, false, 25 * MS);
        assertEquals(10 * MS, rack.rtt());
        assertEquals(2 * MS, rack.xmitTs());
        // Timestamps say the echo predates the retransmission.
        rack.onDelivered(1000, log.xmitTime(0), true, true, 40 * MS);
        assertEquals(2 * MS, rack.xmitTs());
        // Unambiguous: 12 ms after it, no echo evidence against it.
        rack.onDelivered(1000, log.xmitTime(0), true, false, 32 * MS);
        assertEquals(12 * MS, rack.rtt());
        assertEquals(20 * MS, rack.xmitTs());
        assertEquals(1000, rack.endSeq());
    }

    @Test
    void retransmittedLostSegmentIsJudgedByItsNewSendTime() {
        sendThree(0);
        sackAndDeliver(2, 12 * MS, 0, 3000);
        rack.detectLoss(log, 20 * MS, false, SRTT);
        assertTrue(log.lost(0));
        log.onRetransmitted(0, 20 * MS);
        assertFalse(log.lost(0));
        // Sent after the most recently delivered segment: not judged until something sent later is delivered.
        assertEquals(0, rack.detectLoss(log, 40 * MS, false, SRTT));
        assertFalse(log.lost(0));
    }

    @Test
    void sameSendTimeIsOrderedBySequence() {
        assertTrue(Rack.sentAfter(5, 2000, 5, 1000));
        assertFalse(Rack.sentAfter(5, 1000, 5, 2000));
        assertTrue(Rack.sentAfter(5, 0x10, 5, 0xFFFF_FF00)); // across the wrap
        assertTrue(Rack.sentAfter(6, 0, 5, 1000));
        assertFalse(Rack.sentAfter(5, 1000, 5, 1000));
    }

    @Test
    void nothingIsDetectedBeforeAnyDelivery() {
        sendThree(0);
        assertEquals(0, rack.detectLoss(log, SRTT * 100, false, SRTT));
        assertFalse(rack.hasDelivered());
        assertFalse(log.lost(0));
    }
}
