package io.sluice.core.tcp.cc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * CUBIC's window against RFC 9438's formulas: K, W_cubic at chosen times, the per-ACK increase towards the
 * clamped target, the Reno-friendly region, fast convergence, the decrease, timeouts and undo.
 */
class CubicTest {

    private static final int SMSS = 1000;
    private static final long MS = 1_000_000;
    private static final double SECOND = Cubic.NANOS_PER_SECOND;

    /**
     * Slow start from IW10 to 160 segments, a loss (W_max = 160, ssthresh = 112 segments) and the full ACK that
     * ends recovery: the clock stands at the start of congestion avoidance.
     */
    private static AckClock afterFirstLoss(long rttNanos) {
        AckClock clock = new AckClock(new Cubic(SMSS), rttNanos, 0);
        for (int round = 0; round < 4; round++) {
            clock.roundTrip();
        }
        assertEquals(160_000, clock.cc.cwnd());
        clock.lossAndRecovery();
        return clock;
    }

    @Test
    void constantsAreTheRfcs() {
        assertEquals(0.4, Cubic.C);
        assertEquals(0.7, Cubic.BETA);
        assertEquals(3 * 0.3 / 1.7, Cubic.ALPHA, 1e-15);
        assertEquals(0.5294, Cubic.ALPHA, 1e-4);
    }

    @Test
    void cubicFunctionAndKFollowTheRfcFormulas() {
        double k = Cubic.k(160, 112);
        assertEquals(Math.cbrt(48 / 0.4), k, 1e-12); // §4.2 Figure 2
        assertEquals(4.9324, k, 1e-4);
        assertEquals(112, Cubic.wCubic(0, k, 160), 1e-9); // starts at cwnd_epoch
        assertEquals(160, Cubic.wCubic(k, k, 160), 1e-12); // reaches W_max at K
        assertEquals(0.4 * Math.pow(2 - k, 3) + 160, Cubic.wCubic(2, k, 160), 1e-9);
        assertEquals(0.4 * Math.pow(8 - k, 3) + 160, Cubic.wCubic(8, k, 160), 1e-9);
        assertEquals(-Math.cbrt(10 / 0.4), Cubic.k(100, 110), 1e-12); // below cwnd_epoch: negative K
    }

    @Test
    void aLossReducesByBetaAndStartsACurveThroughTheOldWindow() {
        AckClock clock = afterFirstLoss(100 * MS);
        Cubic cc = (Cubic) clock.cc;
        assertEquals(112_000, cc.ssthresh()); // §4.6: flight_size * β_cubic
        assertEquals(112_000, cc.cwnd());
        assertEquals(160, cc.wMax(), 1e-12);
        cc.onAck(clock.now, SMSS, 100 * MS, cc.cwnd(), false);
        assertEquals(112, cc.cwndEpoch(), 1e-12);
        assertEquals(Math.cbrt(48 / 0.4), cc.k(), 1e-12);
    }

    @Test
    void eachAckClosesTheGapToWCubicOneRttAheadByOneOverCwnd() {
        long rtt = 100 * MS;
        AckClock clock = afterFirstLoss(rtt);
        Cubic cc = (Cubic) clock.cc;
        long epoch = clock.now;
        cc.onAck(epoch, SMSS, rtt, cc.cwnd(), false); // the epoch starts; W_est leads by a hair at t = 0
        long before = cc.cwnd();
        double cwnd = (double) before / SMSS;
        double k = cc.k();
        // t = 2 s: concave region, W_cubic(t) above W_est, target = W_cubic(t + RTT) within [cwnd, 1.5 cwnd]
        double target = 0.4 * Math.pow(2.1 - k, 3) + 160;
        assertTrue(target > cwnd && target < 1.5 * cwnd);
        cc.onAck(epoch + (long) (2 * SECOND), 3 * SMSS, rtt, before, false);
        assertEquals((target - cwnd) / cwnd * 3 * SMSS, cc.cwnd() - before, 1.0); // §4.4
        // t = 30 s: W_cubic(t + RTT) far above, so the target is clamped to 1.5 cwnd: +0.5 segment per segment
        long clampedBefore = cc.cwnd();
        cc.onAck(epoch + (long) (30 * SECOND), 2 * SMSS, rtt, clampedBefore, false);
        assertEquals(0.5 * 2 * SMSS, cc.cwnd() - clampedBefore, 1.0);
    }

    @Test
    void growthFollowsTheCubicCurveAtLongRtts() {
        long rtt = 100 * MS;
        AckClock clock = afterFirstLoss(rtt);
        long epoch = clock.now;
        double k = Math.cbrt(48 / 0.4);
        for (int round = 1; round <= 80; round++) {
            clock.roundTrip();
            double t = (clock.now - epoch) / SECOND;
            double cwnd = clock.cwndSegments();
            // the window aims one RTT ahead of the curve, and lags by the round trip it takes to get there
            assertTrue(cwnd >= Cubic.wCubic(t - 2 * rtt / SECOND, k, 160) - 1
                    && cwnd <= Cubic.wCubic(t + 2 * rtt / SECOND, k, 160) + 1, "round " + round + " cwnd " + cwnd);
        }
    }

    @Test
    void atShortRttsTheRenoFriendlyEstimateDominates() {
        long rtt = MS;
        AckClock clock = afterFirstLoss(rtt);
        Cubic cc = (Cubic) clock.cc;
        long epoch = clock.now;
        for (int round = 1; round <= 50; round++) {
            clock.roundTrip();
        }
        double t = (clock.now - epoch) / SECOND;
        double reno = 112 + Cubic.ALPHA * 50; // §4.3: α_cubic segments per RTT while below cwnd_prior
        assertEquals(reno, clock.cwndSegments(), 1.0);
        assertEquals(cc.wEst(), clock.cwndSegments(), 0.01);
        assertTrue(Cubic.wCubic(t, cc.k(), 160) < reno - 20, "the cubic curve is far below at t = " + t);
        for (int round = 1; round <= 200; round++) { // past cwnd_prior (160) α_cubic becomes 1
            clock.roundTrip();
        }
        double above = clock.cwndSegments();
        for (int round = 1; round <= 20; round++) {
            clock.roundTrip();
        }
        assertEquals(above + 20, clock.cwndSegments(), 1.0);
    }

    @Test
    void fastConvergenceLowersWMaxWhenTheWindowShrank() {
        AckClock clock = afterFirstLoss(100 * MS);
        Cubic cc = (Cubic) clock.cc;
        assertEquals(160, cc.wMax(), 1e-12); // first event: W_max = cwnd
        clock.lossAndRecovery(); // at 112 segments, below W_max: W_max = 112 (1 + β) / 2
        assertEquals(112 * 1.7 / 2, cc.wMax(), 1e-9);
        assertEquals(78_400, cc.ssthresh());
        for (int round = 0; round < 150 && clock.cwndSegments() < 120; round++) {
            clock.roundTrip();
        }
        double cwnd = clock.cwndSegments();
        assertTrue(cwnd >= 120);
        clock.lossAndRecovery(); // above W_max: W_max = cwnd
        assertEquals(cwnd, cc.wMax(), 1e-9);
    }

    @Test
    void theCurveIsConcaveThenFlatNearWMaxThenConvex() {
        CubicSimulation.Trace trace = CubicSimulation.run(100 * MS, 1000, 3);
        System.out.println(trace);
        double[] cycle = trace.lastCycle();
        double wMax = trace.lastWMax();
        double k = Math.cbrt(wMax * (1 - Cubic.BETA) / Cubic.C);
        int atWMax = (int) Math.round(k * 10); // 10 RTTs per second
        for (int i = 1; i < cycle.length; i++) {
            assertTrue(cycle[i] >= cycle[i - 1], "monotonic between losses, round " + i);
        }
        assertEquals(wMax, cycle[atWMax], wMax * 0.03, "W_max reached after K = " + k + " s");
        double early = (cycle[10] - cycle[0]) / 10;
        double plateau = (cycle[atWMax + 5] - cycle[atWMax - 5]) / 10;
        double late = (cycle[cycle.length - 1] - cycle[cycle.length - 11]) / 10;
        assertTrue(early > 4 * plateau && late > 4 * plateau,
                "concave then convex: early " + early + ", plateau " + plateau + ", late " + late);
        assertTrue(plateau < 2, "growth per RTT near W_max " + plateau);
    }

    @Test
    void afterATimeoutTheNextStageStartsAtItsPlateau() {
        AckClock clock = afterFirstLoss(100 * MS);
        Cubic cc = (Cubic) clock.cc;
        cc.onRetransmitTimeout(clock.now, 100_000);
        assertEquals(SMSS, cc.cwnd());
        assertEquals(70_000, cc.ssthresh()); // §4.8: ssthresh by β_cubic
        for (int ack = 0; ack < 100 && cc.inSlowStart(); ack++) {
            clock.now += MS;
            cc.onAck(clock.now, SMSS, 100 * MS, cc.cwnd(), false);
        }
        assertEquals(70_000, cc.cwnd()); // slow start ends exactly at ssthresh
        cc.onAck(clock.now, SMSS, 100 * MS, cc.cwnd(), false);
        assertEquals(0, cc.k()); // §4.8: K = 0, W_max = cwnd at the start of congestion avoidance
        assertEquals(70, cc.wMax(), 1e-12);
        assertEquals(70, cc.cwndEpoch(), 1e-12);
    }

    @Test
    void aSpuriousLossRestoresTheCurve() {
        long rtt = 100 * MS;
        AckClock clock = afterFirstLoss(rtt);
        Cubic cc = (Cubic) clock.cc;
        for (int round = 0; round < 20; round++) {
            clock.roundTrip();
        }
        long cwnd = cc.cwnd();
        double k = cc.k();
        double wMax = cc.wMax();
        cc.onEnterRecovery(clock.now, cwnd);
        assertTrue(cc.wMax() < wMax); // fast convergence lowered it
        cc.onSpuriousCongestionEvent(clock.now); // §4.9
        assertEquals(cwnd, cc.cwnd());
        assertEquals(112_000, cc.ssthresh());
        assertEquals(wMax, cc.wMax());
        assertEquals(k, cc.k());
        long before = cc.cwnd();
        clock.roundTrip();
        assertTrue(cc.cwnd() > before, "the curve continues");
    }

    @Test
    void anApplicationLimitedPauseDoesNotAdvanceTheCurve() {
        long rtt = 100 * MS;
        AckClock limited = afterFirstLoss(rtt);
        AckClock busy = afterFirstLoss(rtt);
        limited.roundTrip();
        busy.roundTrip();
        for (int i = 0; i < 50; i++) { // five seconds of ACKs for a trickle of data
            limited.now += rtt;
            limited.cc.onAck(limited.now, SMSS, rtt, SMSS, false);
        }
        assertEquals(busy.cc.cwnd(), limited.cc.cwnd());
        limited.roundTrip();
        busy.roundTrip();
        assertEquals(busy.cwndSegments(), limited.cwndSegments(), 0.5);
    }
}
