package io.sluice.core.tcp.recovery;

import static io.sluice.core.tcp.recovery.RttEstimator.MILLISECOND;
import static io.sluice.core.tcp.recovery.RttEstimator.SECOND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** RFC 6298 arithmetic with values chosen so that the expected numbers are exact. */
class RttEstimatorTest {

    private static final long MS = MILLISECOND;

    @Test
    void beforeAnySampleTheRtoIsOneSecond() {
        RttEstimator rtt = new RttEstimator();
        assertEquals(SECOND, rtt.rto()); // §2.1
        assertFalse(rtt.hasSample());
        assertEquals(0, rtt.srtt());
    }

    @Test
    void firstSampleSetsSrttToRAndRttvarToHalfR() {
        RttEstimator rtt = new RttEstimator();
        assertTrue(rtt.sample(100 * MS));
        assertEquals(100 * MS, rtt.srtt()); // §2.2: SRTT = R
        assertEquals(50 * MS, rtt.rttvar()); // RTTVAR = R/2
        assertEquals(300 * MS, rtt.rto()); // SRTT + max(G, 4 * RTTVAR) = 100 + 200
    }

    @Test
    void laterSamplesUseTheOldSrttForRttvar() {
        RttEstimator rtt = new RttEstimator();
        rtt.sample(100 * MS);
        rtt.sample(200 * MS);
        // §2.3: RTTVAR = 3/4 * 50 + 1/4 * |100 - 200| = 62.5; SRTT = 7/8 * 100 + 1/8 * 200 = 112.5
        assertEquals(62_500_000L, rtt.rttvar());
        assertEquals(112_500_000L, rtt.srtt());
        assertEquals(112_500_000L + 4 * 62_500_000L, rtt.rto());
        rtt.sample(40 * MS);
        // RTTVAR = 3/4 * 62.5 + 1/4 * 72.5 = 65; SRTT = 7/8 * 112.5 + 1/8 * 40 = 103.4375
        assertEquals(65 * MS, rtt.rttvar());
        assertEquals(103_437_500L, rtt.srtt());
        assertEquals(103_437_500L + 260 * MS, rtt.rto());
    }

    @Test
    void granularityBoundsTheVarianceTerm() {
        RttEstimator rtt = new RttEstimator(50 * MS, 50 * MS, 60 * SECOND);
        for (int i = 0; i < 20; i++) {
            rtt.sample(100 * MS);
        }
        // RTTVAR decays as 50 * (3/4)^n, far below G / K = 12.5 ms after 20 samples, so RTO = SRTT + G.
        assertEquals(100 * MS, rtt.srtt());
        assertTrue(4 * rtt.rttvar() < 50 * MS);
        assertEquals(150 * MS, rtt.rto());
    }

    @Test
    void minimumRtoIsConfigurableAndRfcValueRoundsUp() {
        RttEstimator linuxLike = new RttEstimator();
        linuxLike.sample(10 * MS); // 10 + 4 * 5 = 30 ms
        assertEquals(200 * MS, linuxLike.rto());
        RttEstimator rfc = new RttEstimator(MS, SECOND, 60 * SECOND);
        rfc.sample(100 * MS); // 300 ms, rounded up to 1 s (§2.4)
        assertEquals(SECOND, rfc.rto());
        rfc.sample(2 * SECOND);
        assertTrue(rfc.rto() > SECOND);
    }

    @Test
    void maximumRtoCapsEstimateAndBackoff() {
        RttEstimator rtt = new RttEstimator();
        rtt.sample(100 * SECOND);
        assertEquals(60 * SECOND, rtt.rto()); // §2.5
        RttEstimator longer = new RttEstimator(MS, 200 * MS, 120 * SECOND);
        longer.sample(100 * SECOND);
        assertEquals(120 * SECOND, longer.rto());
    }

    @Test
    void timeoutsDoubleTheRtoUpToTheMaximum() {
        RttEstimator rtt = new RttEstimator();
        rtt.sample(100 * MS); // RTO 300 ms
        long expected = 300 * MS;
        for (int i = 1; i <= 8; i++) { // 0.6, 1.2, 2.4, 4.8, 9.6, 19.2, 38.4 s, then capped at 60 s
            expected = Math.min(60 * SECOND, expected * 2);
            assertEquals(expected, rtt.onTimeout(), "after timeout " + i);
            assertEquals(i, rtt.backoffs());
        }
        assertEquals(60 * SECOND, rtt.rto());
        assertEquals(60 * SECOND, rtt.onTimeout());
    }

    @Test
    void initialRtoBacksOffToo() {
        RttEstimator rtt = new RttEstimator();
        assertEquals(2 * SECOND, rtt.onTimeout());
        assertEquals(4 * SECOND, rtt.onTimeout());
    }

    @Test
    void aNewSampleEndsTheBackoff() {
        RttEstimator rtt = new RttEstimator();
        rtt.sample(100 * MS);
        rtt.onTimeout();
        rtt.onTimeout();
        assertEquals(1200 * MS, rtt.rto());
        rtt.sample(100 * MS); // RTTVAR 3/4 * 50 = 37.5, SRTT 100: RTO 250 ms, backoff gone
        assertEquals(0, rtt.backoffs());
        assertEquals(250 * MS, rtt.rto());
    }

    @Test
    void handshakeTimeoutRaisesTheRtoToThreeSeconds() {
        RttEstimator rtt = new RttEstimator();
        rtt.onTimeout();
        rtt.onHandshakeTimedOut(); // §5.7
        assertEquals(3 * SECOND, rtt.rto());
        assertEquals(0, rtt.backoffs());
        rtt.sample(100 * MS);
        assertEquals(300 * MS, rtt.rto());
    }

    @Test
    void negativeSamplesAreIgnoredAndZeroIsTaken() {
        RttEstimator rtt = new RttEstimator();
        assertFalse(rtt.sample(-1));
        assertFalse(rtt.hasSample());
        assertTrue(rtt.sample(0));
        assertEquals(200 * MS, rtt.rto()); // 0 + max(G, 0) = 1 ms, raised to the minimum
    }

    @Test
    void badSettingsAreRejectedWithTheirValues() {
        assertThrows(IllegalArgumentException.class, () -> new RttEstimator(0, 200 * MS, 60 * SECOND));
        assertThrows(IllegalArgumentException.class, () -> new RttEstimator(10 * MS, MS, 60 * SECOND));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RttEstimator(MS, 200 * MS, 59 * SECOND));
        assertTrue(e.getMessage().contains("60 s"), e.getMessage());
    }
}
