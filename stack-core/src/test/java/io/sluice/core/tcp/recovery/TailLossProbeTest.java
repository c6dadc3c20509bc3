package io.sluice.core.tcp.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.tcp.recovery.TailLossProbe.AckVerdict;
import io.sluice.core.tcp.recovery.TailLossProbe.ProbeKind;
import org.junit.jupiter.api.Test;

/** Probe timeout values and probe episodes of RFC 8985 §7. */
class TailLossProbeTest {

    private static final long MS = RttEstimator.MILLISECOND;
    private static final long FAR = 1_000_000 * MS;

    private final TailLossProbe tlp = new TailLossProbe();

    @Test
    void ptoIsTwiceSrtt() {
        assertEquals(100 * MS, tlp.pto(50 * MS, false, 0, FAR));
    }

    @Test
    void singleSegmentFlightWaitsForADelayedAck() {
        assertEquals(100 * MS + 200 * MS, tlp.pto(50 * MS, true, 0, FAR));
        assertEquals(100 * MS + 40 * MS, new TailLossProbe(40 * MS).pto(50 * MS, true, 0, FAR));
    }

    @Test
    void withoutSrttThePtoIsOneSecond() {
        assertEquals(1000 * MS, tlp.pto(-1, false, 0, FAR));
        assertEquals(1000 * MS, tlp.pto(-1, true, 0, FAR));
    }

    @Test
    void ptoNeverOutlastsTheRto() {
        long now = 5000 * MS;
        assertEquals(70 * MS, tlp.pto(50 * MS, false, now, now + 70 * MS));
        assertEquals(0, tlp.pto(50 * MS, false, now, now - 1));
        assertEquals(100 * MS, tlp.pto(50 * MS, false, now, now + 100 * MS));
        // A nanoTime-style clock near the wrap: compared by difference.
        long late = Long.MAX_VALUE - 10 * MS;
        assertEquals(30 * MS, tlp.pto(50 * MS, false, late, late + 30 * MS));
    }

    @Test
    void armedOnlyWithSackNothingSackedOutsideRecoveryAndWithDataOut() {
        assertTrue(tlp.shouldArm(true, false, false, true));
        assertFalse(tlp.shouldArm(false, false, false, true));
        assertFalse(tlp.shouldArm(true, true, false, true));
        assertFalse(tlp.shouldArm(true, false, true, true));
        assertFalse(tlp.shouldArm(true, false, false, false));
        tlp.onProbeSent(5000, true);
        assertFalse(tlp.shouldArm(true, false, false, true)); // one probe outstanding at a time
    }

    @Test
    void probeCarriesNewDataWhenItCan() {
        assertEquals(ProbeKind.NEW_DATA, tlp.probeKind(true));
        assertEquals(ProbeKind.RETRANSMIT_LAST, tlp.probeKind(false));
    }

    @Test
    void newDataProbeEndsTheEpisodeWithoutLoss() {
        tlp.onProbeSent(6000, false);
        assertEquals(AckVerdict.NONE, tlp.onAck(5000, false, false));
        assertTrue(tlp.episodeOpen());
        assertEquals(AckVerdict.NO_LOSS, tlp.onAck(6000, false, false));
        assertFalse(tlp.episodeOpen());
        assertEquals(AckVerdict.NONE, tlp.onAck(7000, false, false));
    }

    @Test
    void ackBeyondARetransmittedProbeMeansItRepairedALoss() {
        tlp.onProbeSent(5000, true);
        assertEquals(AckVerdict.NONE, tlp.onAck(5000, false, false)); // cumulative ACK to the probe: wait
        assertEquals(AckVerdict.LOSS_REPAIRED, tlp.onAck(6000, false, false));
        assertFalse(tlp.episodeOpen());
        assertEquals(1, tlp.probes());
    }

    @Test
    void dsackOrPureDuplicateMeansBothCopiesArrived() {
        tlp.onProbeSent(5000, true);
        assertEquals(AckVerdict.NO_LOSS, tlp.onAck(5000, true, false));
        tlp.onProbeSent(5000, true);
        assertEquals(AckVerdict.NO_LOSS, tlp.onAck(5000, false, true));
    }

    @Test
    void episodeSurvivesWrapAndCanBeCancelled() {
        tlp.onProbeSent(0x0000_0100, true);
        assertEquals(AckVerdict.NONE, tlp.onAck(0xFFFF_FF00, false, false));
        assertEquals(AckVerdict.LOSS_REPAIRED, tlp.onAck(0x0000_0200, false, false));
        tlp.onProbeSent(10, true);
        tlp.cancelEpisode();
        assertEquals(AckVerdict.NONE, tlp.onAck(20, false, false));
    }
}
