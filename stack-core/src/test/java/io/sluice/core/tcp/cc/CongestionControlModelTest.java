package io.sluice.core.tcp.cc;

import static io.sluice.core.tcp.cc.CongestionControl.MAX_WINDOW;
import static io.sluice.core.tcp.cc.CongestionControl.NO_RTT_SAMPLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Seeded random event sequences, sensible and absurd (zero, negative and huge byte counts, time standing still or
 * jumping by hours, SMSS changes), against the rules every event must keep: cwnd within [1 SMSS, MAX_WINDOW],
 * ssthresh at least 2 SMSS, the RFC values after each decrease, no growth beyond what the ACK allows, and CUBIC's
 * state finite. A failing seed is in the test's name and replays exactly.
 */
class CongestionControlModelTest {

    private static final int EVENTS = 200_000;
    private static final long MS = 1_000_000;

    @ParameterizedTest(name = "{0} seed {1}")
    @CsvSource({"cubic, 1", "cubic, 2", "cubic, 3", "newreno, 1", "newreno, 2", "newreno, 3"})
    void randomEventsKeepTheWindowSane(String algorithm, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        CongestionControl cc = CongestionControls.create(algorithm, 536 + random.nextInt(9000));
        long now = random.nextLong();
        boolean inRecovery = false;
        for (int event = 0; event < EVENTS; event++) {
            now += random.nextInt(100) == 0 ? random.nextLong(3_600_000 * MS) : random.nextLong(200 * MS);
            String where = algorithm + " seed " + seed + " event " + event + ": ";
            long cwnd = cc.cwnd();
            int smss = cc.smss();
            long flight = byteCount(random, cwnd);
            switch (random.nextInt(16)) {
                case 0 -> {
                    cc.onEnterRecovery(now, flight);
                    inRecovery = true;
                    long decreased = cc instanceof Cubic ? (long) (Math.min(flight, MAX_WINDOW) * Cubic.BETA)
                            : Math.min(flight, MAX_WINDOW) / 2;
                    assertEquals(Math.max(decreased, 2L * smss), cc.ssthresh(), where + "ssthresh after a loss");
                    assertEquals(Math.min(cc.ssthresh() + 3L * smss, MAX_WINDOW), cc.cwnd(), where + "cwnd");
                }
                case 1 -> {
                    if (!inRecovery) {
                        continue; // only the full ACK of a recovery ends it
                    }
                    cc.onRecoveryExit(now, flight);
                    inRecovery = false;
                    assertTrue(cc.cwnd() <= Math.max(cc.ssthresh(), smss), where + "cwnd above ssthresh at exit");
                }
                case 2 -> {
                    cc.onRetransmitTimeout(now, flight);
                    inRecovery = false;
                    assertEquals(smss, cc.cwnd(), where + "the loss window");
                }
                case 3 -> cc.onSpuriousCongestionEvent(now);
                case 4 -> cc.setSmss(536 + random.nextInt(9000));
                case 5, 6 -> {
                    cc.onDuplicateAck(now, inRecovery);
                    assertEquals(inRecovery ? Math.min(cwnd + smss, MAX_WINDOW) : cwnd, cc.cwnd(), where + "dup ACK");
                }
                default -> {
                    long acked = byteCount(random, cwnd);
                    long rtt = random.nextInt(4) == 0 ? NO_RTT_SAMPLE : random.nextLong(1, 3000 * MS);
                    cc.onAck(now, acked, rtt, flight, inRecovery);
                    long growth = cc.cwnd() - cwnd;
                    if (!inRecovery) {
                        assertTrue(growth >= 0, where + "an ACK shrank the window");
                        // slow start's L * SMSS, then what is left in congestion avoidance: one SMSS (NewReno) or
                        // half the bytes acknowledged (CUBIC's 1.5 cwnd target)
                        long bounded = Math.clamp(acked, 0, MAX_WINDOW);
                        assertTrue(growth <= Math.min(bounded, 2L * smss) + Math.max(smss, bounded / 2) + 1,
                                where + "grew " + growth + " for " + acked + " bytes acknowledged");
                        if (flight < cwnd / 2) {
                            assertEquals(0, growth, where + "an unused window grew");
                        }
                    }
                }
            }
            assertTrue(cc.cwnd() >= cc.smss() && cc.cwnd() <= MAX_WINDOW, where + "cwnd " + cc.cwnd());
            assertTrue(cc.ssthresh() >= 2L * cc.smss(), where + "ssthresh " + cc.ssthresh());
            if (cc instanceof Cubic cubic) {
                assertTrue(Double.isFinite(cubic.wMax()) && Double.isFinite(cubic.k())
                        && Double.isFinite(cubic.wEst()) && Double.isFinite(cubic.cwndEpoch()), where + cubic);
            }
        }
    }

    /** Mostly sizes around the window, sometimes zero, negative or far too large. */
    private static long byteCount(SplittableRandom random, long cwnd) {
        return switch (random.nextInt(20)) {
            case 0 -> 0;
            case 1 -> -random.nextLong(1, Long.MAX_VALUE);
            case 2 -> random.nextLong(1, Long.MAX_VALUE);
            default -> random.nextLong(0, 2 * cwnd + 2);
        };
    }
}
