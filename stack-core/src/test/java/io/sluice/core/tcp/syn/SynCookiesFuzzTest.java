package io.sluice.core.tcp.syn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Forged ACKs against SYN cookies, 1 000 000 per case: the share accepted is what the layout predicts. A forged
 * cookie passes when its top byte decodes to the current or previous counter (2 of 32 values; every MSS index is
 * valid) and its MAC matches (2^-24), so 2^-28 for random values. At the full MAC width that is 0.0037 expected
 * acceptances per million, so the test allows at most one (a second has probability below 10^-5); to see the rate
 * itself, the same decode with only 8 MAC bits checked must accept 2^-12 of the forgeries: 244 expected, allowed
 * within 5 standard deviations (σ = √244 ≈ 15.6, so 166..322).
 */
class SynCookiesFuzzTest {

    private static final int TRIALS = 1_000_000;
    private static final long HOUR = 3_600_000_000_000L;
    private static final double REDUCED_EXPECTED = TRIALS / 4096.0;
    private static final double REDUCED_TOLERANCE = 5 * Math.sqrt(REDUCED_EXPECTED);

    private static final long K0 = 0x0fed_cba9_8765_4321L;
    private static final long K1 = 0x1357_9bdf_2468_ace0L;

    /** Random tuples, peer ISNs, times and cookies: how many decode as valid. */
    private static int acceptedRandomForgeries(SynCookies cookies, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int accepted = 0;
        for (int i = 0; i < TRIALS; i++) {
            long now = random.nextLong(-HOUR, HOUR);
            if (cookies.decode(now, random.nextInt(), random.nextInt(65_536), random.nextInt(), random.nextInt(65_536),
                    random.nextInt(), random.nextInt()) != SynCookies.INVALID) {
                accepted++;
            }
        }
        return accepted;
    }

    /**
     * A genuine cookie replayed with another peer ISN (an off-path attacker who saw one SYN-ACK and guesses, or a
     * peer who changes its sequence number): how many decode as valid.
     */
    private static int acceptedReplaysWithAnotherIsn(SynCookies cookies, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int accepted = 0;
        for (int i = 0; i < TRIALS; i++) {
            long now = random.nextLong(-HOUR, HOUR);
            int localIp = random.nextInt();
            int localPort = random.nextInt(65_536);
            int remoteIp = random.nextInt();
            int remotePort = random.nextInt(65_536);
            int isn = random.nextInt();
            int cookie = cookies.encode(now, localIp, localPort, remoteIp, remotePort, isn, 1460);
            int otherIsn = isn ^ (1 + random.nextInt(Integer.MAX_VALUE));
            if (cookies.decode(now, localIp, localPort, remoteIp, remotePort, otherIsn, cookie)
                    != SynCookies.INVALID) {
                accepted++;
            }
        }
        return accepted;
    }

    private static void assertNearExpected(int accepted, String what) {
        System.out.printf("%s: %d of %d accepted with 8 MAC bits checked (expected %.1f ± %.1f)%n", what, accepted,
                TRIALS, REDUCED_EXPECTED, REDUCED_TOLERANCE);
        assertTrue(Math.abs(accepted - REDUCED_EXPECTED) <= REDUCED_TOLERANCE,
                what + ": " + accepted + " accepted, expected " + REDUCED_EXPECTED + " ± " + REDUCED_TOLERANCE);
    }

    @Test
    void randomForgeriesAreAcceptedAtTheRateOfTheLayout() {
        int full = acceptedRandomForgeries(new SynCookies(K0, K1), 4987);
        System.out.printf("random forgeries: %d of %d accepted with the full MAC (expected %.4f)%n", full, TRIALS,
                TRIALS / Math.pow(2, 28));
        assertTrue(full <= 1, full + " random forgeries accepted");
        assertNearExpected(acceptedRandomForgeries(new SynCookies(K0, K1, 8), 4988), "random forgeries");
    }

    @Test
    void replayedCookiesWithAnotherIsnAreAcceptedAtTheRateOfTheLayout() {
        int full = acceptedReplaysWithAnotherIsn(new SynCookies(K0, K1), 6528);
        System.out.printf("replays with another ISN: %d of %d accepted with the full MAC (expected %.4f)%n", full,
                TRIALS, TRIALS / Math.pow(2, 28));
        assertTrue(full <= 1, full + " replayed cookies accepted");
        assertNearExpected(acceptedReplaysWithAnotherIsn(new SynCookies(K0, K1, 8), 6529), "replays with another ISN");
    }
}
