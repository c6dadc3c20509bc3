package io.sluice.core.tcp.cc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * HyStart++ (RFC 9406) through CUBIC's first slow start, round by round: with a flat RTT slow start doubles the
 * window; a round whose minimum RTT rises by the threshold turns it into Conservative Slow Start (a quarter of the
 * growth); five CSS rounds end slow start with ssthresh at the window reached; an RTT that falls back during CSS
 * resumes slow start; a loss ends HyStart++ for good.
 */
class HyStartTest {

    private static final int SMSS = 1000;
    private static final long MS = 1_000_000L;

    /** One round: the window's worth of bytes acknowledged SMSS by SMSS, each with an RTT sample. */
    private static long round(CongestionControl cc, long rttNanos) {
        long before = cc.cwnd();
        long segments = before / SMSS;
        for (int i = 0; i < segments; i++) {
            cc.onAck(0, SMSS, rttNanos, cc.cwnd(), false);
        }
        return cc.cwnd() - before;
    }

    @Test
    void aFlatRttKeepsSlowStartDoubling() {
        CongestionControl cc = CongestionControls.create("cubic", SMSS);
        for (int r = 0; r < 6; r++) {
            long before = cc.cwnd();
            assertEquals(before, round(cc, 10 * MS), "round " + r + " doubles the window");
        }
        assertEquals(Long.MAX_VALUE, cc.ssthresh());
    }

    @Test
    void aRisingRttSlowsGrowthThenEndsSlowStartAfterFiveRounds() {
        CongestionControl cc = CongestionControls.create("cubic", SMSS);
        round(cc, 10 * MS);
        round(cc, 10 * MS);
        round(cc, 10 * MS);
        long beforeCss = cc.cwnd();
        long grown = round(cc, 20 * MS); // +10 ms > max(4 ms, 10/8 ms): the queue is building
        assertTrue(grown < beforeCss, "growth slowed within the round the delay rose: " + grown);
        long cssGrowth = round(cc, 20 * MS);
        long window = cc.cwnd() - cssGrowth;
        assertEquals(window / HyStart.CSS_GROWTH_DIVISOR, cssGrowth, SMSS, "a CSS round grows a quarter");
        assertEquals(Long.MAX_VALUE, cc.ssthresh(), "still slow start during CSS");
        for (int r = 0; r < HyStart.CSS_ROUNDS; r++) {
            round(cc, 20 * MS);
        }
        assertTrue(cc.ssthresh() < Long.MAX_VALUE, "slow start ended");
        assertTrue(cc.ssthresh() <= cc.cwnd() && cc.ssthresh() > beforeCss, "ssthresh is the window CSS reached: "
                + cc.ssthresh() + " (window " + cc.cwnd() + ", before CSS " + beforeCss + ")");
    }

    @Test
    void anRttThatFallsBackDuringCssResumesSlowStart() {
        CongestionControl cc = CongestionControls.create("cubic", SMSS);
        round(cc, 10 * MS);
        round(cc, 10 * MS);
        round(cc, 30 * MS); // CSS starts with a baseline of 30 ms
        round(cc, 10 * MS); // below the baseline: spurious, slow start again
        long before = cc.cwnd();
        assertEquals(before, round(cc, 10 * MS), "doubling again");
        assertEquals(Long.MAX_VALUE, cc.ssthresh());
    }

    @Test
    void aLossEndsHyStartForGood() {
        HyStart h = new HyStart();
        assertEquals(HyStart.Verdict.SLOW_START, h.onAck(SMSS, 10 * MS, 10 * SMSS));
        h.finish();
        assertTrue(h.finished());
        assertFalse(h.inConservativeSlowStart());
        assertEquals(HyStart.Verdict.EXIT, h.onAck(SMSS, 10 * MS, 10 * SMSS));
    }
}
