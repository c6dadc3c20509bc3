package io.sluice.core.tcp.syn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.tcp.SeqNum;
import io.sluice.core.wire.Ip4Address;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** RFC 6528 §3: ISN = M + F(4-tuple, key), M ticking every 4 µs; and the per-4-tuple timestamp offset. */
class IsnGeneratorTest {

    private static final long K0 = 0x0123_4567_89ab_cdefL;
    private static final long K1 = 0xfedc_ba98_7654_3210L;
    private static final int LOCAL = Ip4Address.parse("198.18.0.1").bits();
    private static final int REMOTE = Ip4Address.parse("198.18.0.2").bits();
    private static final long US = 1_000;

    private final IsnGenerator isns = new IsnGenerator(K0, K1);

    private int isn(long now) {
        return isns.isn(now, LOCAL, 80, REMOTE, 40_000);
    }

    @Test
    void isTheTimerPlusTheSipHashOfTheTuple() {
        long f = SipHash.hash(K0, K1, (long) LOCAL << 32 | REMOTE & 0xffff_ffffL, 80L << 48 | 40_000L << 32);
        assertEquals((int) f, isn(0));
        assertEquals((int) f + 250_000, isn(1_000_000_000L), "one second is 250 000 ticks of 4 µs");
    }

    @Test
    void advancesOneStepPerFourMicroseconds() {
        long start = 123_456_788_000L; // a multiple of 4 µs
        int first = isn(start);
        for (int tick = 0; tick < 10_000; tick++) {
            long now = start + tick * 4 * US;
            assertEquals(first + tick, isn(now));
            assertEquals(first + tick, isn(now + 4 * US - 1), "the timer steps only after a whole 4 µs");
        }
    }

    @Test
    void staysIncreasingAcrossTheWrapOfSequenceSpace() {
        // Find a time whose ISN is just below 2^32 and check each step after it is one more, modulo 2^32.
        int base = isn(0);
        long ticksToWrap = (1L << 32) - (base & 0xffff_ffffL) - 3;
        long now = ticksToWrap * IsnGenerator.TICK_NANOS;
        assertEquals(-3, isn(now));
        int previous = isn(now);
        for (int i = 1; i <= 8; i++) {
            int next = isn(now + i * IsnGenerator.TICK_NANOS);
            assertEquals(1, SeqNum.distance(previous, next));
            assertTrue(SeqNum.gt(next, previous));
            previous = next;
        }
        assertEquals(5, previous);
    }

    @Test
    void negativeClockValuesTickToo() {
        assertEquals(-1, IsnGenerator.timer(-1));
        assertEquals(-1, IsnGenerator.timer(-4_000));
        assertEquals(-2, IsnGenerator.timer(-4_001));
        assertEquals(isn(0) - 1, isn(-1));
    }

    @Test
    void differsBetweenTuplesAndKeys() {
        Set<Integer> seen = new HashSet<>();
        int[][] tuples = {{LOCAL, 80, REMOTE, 40_000}, {LOCAL, 80, REMOTE, 40_001}, {LOCAL, 81, REMOTE, 40_000},
            {LOCAL, 80, REMOTE + 1, 40_000}, {LOCAL + 1, 80, REMOTE, 40_000}, {REMOTE, 80, LOCAL, 40_000},
            {LOCAL, 40_000, REMOTE, 80}};
        for (int[] t : tuples) {
            assertTrue(seen.add(isns.isn(0, t[0], t[1], t[2], t[3])), "ISN repeated for another tuple");
        }
        assertNotEquals(isn(0), new IsnGenerator(K0 ^ 1, K1).isn(0, LOCAL, 80, REMOTE, 40_000));
        assertNotEquals(isn(0), new IsnGenerator(K0, K1 ^ 1L << 63).isn(0, LOCAL, 80, REMOTE, 40_000));
        SecureRandom random = new SecureRandom();
        assertNotEquals(new IsnGenerator(random).isn(0, LOCAL, 80, REMOTE, 40_000),
                new IsnGenerator(random).isn(0, LOCAL, 80, REMOTE, 40_000), "fresh keys differ (2^-32 to fail)");
    }

    @Test
    void isnsOfManyTuplesAtOneInstantLookUniform() {
        // Each of the 32 bits of F is set for about half of 20 000 remote ports: within ±5 standard deviations
        // (σ = √(20000 / 4) ≈ 71) of 10 000.
        int samples = 20_000;
        int[] ones = new int[32];
        for (int port = 0; port < samples; port++) {
            int isn = isns.isn(0, LOCAL, 80, REMOTE, port);
            for (int bit = 0; bit < 32; bit++) {
                ones[bit] += isn >>> bit & 1;
            }
        }
        for (int bit = 0; bit < 32; bit++) {
            assertTrue(Math.abs(ones[bit] - samples / 2) < 5 * 71, "bit " + bit + " set " + ones[bit] + " times");
        }
    }

    @Test
    void timestampOffsetIsFixedPerTupleAndApartFromTheIsn() {
        int offset = isns.timestampOffset(LOCAL, 80, REMOTE, 40_000);
        assertEquals(offset, isns.timestampOffset(LOCAL, 80, REMOTE, 40_000), "same tuple, same offset");
        assertEquals(offset, new IsnGenerator(K0, K1).timestampOffset(LOCAL, 80, REMOTE, 40_000));
        assertNotEquals(offset, isns.timestampOffset(LOCAL, 80, REMOTE, 40_001));
        assertNotEquals(offset, new IsnGenerator(K0 + 1, K1).timestampOffset(LOCAL, 80, REMOTE, 40_000));
        assertNotEquals(isn(0), offset, "a different function of the tuple than F");
        assertEquals((int) SipHash.hash(K0, K1, (long) LOCAL << 32 | REMOTE & 0xffff_ffffL,
                80L << 48 | 40_000L << 32 | 1), offset);
    }

    @Test
    void randomTuplesRarelyCollide() {
        Random random = new Random(6528);
        Set<Integer> seen = new HashSet<>();
        int collisions = 0;
        for (int i = 0; i < 10_000; i++) {
            if (!seen.add(isns.isn(0, random.nextInt(), random.nextInt(65536), random.nextInt(),
                    random.nextInt(65536)))) {
                collisions++;
            }
        }
        // Birthday bound: 10 000² / 2^33 ≈ 0.012 expected collisions.
        assertTrue(collisions <= 1, collisions + " collisions");
    }
}
