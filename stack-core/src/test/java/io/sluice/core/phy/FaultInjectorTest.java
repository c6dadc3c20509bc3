package io.sluice.core.phy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each fault over many frames, with explicit virtual time. */
class FaultInjectorTest {

    private static final long MS = 1_000_000L;
    private static final long T0 = 7_000 * MS;
    private static final int FRAMES = 20_000;

    private final WireFixture fx = new WireFixture();

    @AfterEach
    void close() {
        fx.close();
        assertEquals(fx.inUseA, fx.poolA.buffersInUse());
        assertEquals(fx.inUseB, fx.poolB.buffersInUse());
    }

    /** Sends FRAMES frames a to b, one every {@code gap} ns, receiving as it goes; returns what b received. */
    private List<byte[]> pump(FaultInjector faults, int length, long gap) {
        List<byte[]> got = new ArrayList<>();
        try (InMemoryWire wire = InMemoryWire.builder().capacity(4096).faultsAtoB(faults).build()) {
            long now = T0;
            for (int i = 0; i < FRAMES; i++) {
                fx.send(wire.a(), fx.cacheA, now, WireFixture.frame(length, i));
                got.addAll(fx.receiveAll(wire.b(), fx.cacheB, now));
                now += gap;
            }
            got.addAll(fx.receiveAll(wire.b(), fx.cacheB, Long.MAX_VALUE));
        }
        return got;
    }

    /** Binomial(n, p) lies within 5 standard deviations of n p (a false failure about once in 3 million runs). */
    private static void assertAbout(double p, long count, String what) {
        double mean = FRAMES * p;
        double tolerance = 5 * Math.sqrt(FRAMES * p * (1 - p));
        assertTrue(Math.abs(count - mean) <= tolerance,
                what + ": " + count + " not within " + mean + " ± " + tolerance);
    }

    @Test
    void lossDropsAboutTheFractionAsked() {
        FaultInjector f = FaultInjector.builder().seed(1).loss(0.1).build();
        List<byte[]> got = pump(f, 100, 10_000);
        assertAbout(0.1, f.lost(), "lost");
        assertEquals(FRAMES - f.lost(), got.size());
        assertEquals(FRAMES, f.frames());
    }

    @Test
    void corruptionFlipsExactlyOneBit() {
        FaultInjector f = FaultInjector.builder().seed(2).corrupt(0.2).build();
        List<byte[]> got = pump(f, 120, 10_000);
        assertEquals(FRAMES, got.size());
        int corrupted = 0;
        for (int i = 0; i < FRAMES; i++) {
            byte[] sent = WireFixture.frame(120, i);
            byte[] received = got.get(i);
            int bits = 0;
            for (int k = 0; k < sent.length; k++) {
                bits += Integer.bitCount((sent[k] ^ received[k]) & 0xff);
            }
            assertTrue(bits <= 1, "frame " + i + " has " + bits + " bits flipped");
            corrupted += bits;
        }
        assertEquals(f.corrupted(), corrupted);
        assertAbout(0.2, corrupted, "corrupted");
    }

    @Test
    void duplicationDeliversTwice() {
        FaultInjector always = FaultInjector.builder().seed(3).duplicate(1).build();
        List<byte[]> twice = pump(always, 80, 10_000);
        assertEquals(2 * FRAMES, twice.size());
        for (int i = 0; i < FRAMES; i++) {
            assertEquals(i, WireFixture.sequenceOf(twice.get(2 * i)));
            assertEquals(i, WireFixture.sequenceOf(twice.get(2 * i + 1)));
        }
        FaultInjector some = FaultInjector.builder().seed(4).duplicate(0.05).build();
        List<byte[]> got = pump(some, 80, 10_000);
        assertAbout(0.05, some.duplicated(), "duplicated");
        assertEquals(FRAMES + some.duplicated(), got.size());
    }

    @Test
    void reorderingChangesOrderButLosesNothing() {
        FaultInjector f = FaultInjector.builder().seed(5).delay(MS).reorder(0.1, 2 * MS).build();
        List<byte[]> got = pump(f, 64, 100_000);
        assertAbout(0.1, f.reordered(), "reordered");
        assertEquals(FRAMES, got.size());
        Map<Integer, Integer> seen = new HashMap<>();
        int inversions = 0;
        for (int i = 0; i < got.size(); i++) {
            int sequence = WireFixture.sequenceOf(got.get(i));
            seen.merge(sequence, 1, Integer::sum);
            if (i > 0 && sequence < WireFixture.sequenceOf(got.get(i - 1))) {
                inversions++;
            }
        }
        assertEquals(FRAMES, seen.size(), "every frame delivered once");
        assertTrue(inversions > 0, "some frames arrive out of order");
        assertTrue(inversions <= f.reordered(), inversions + " inversions, " + f.reordered() + " reordered");
    }

    @Test
    void jitterStaysWithinItsBound() {
        FaultInjector f = FaultInjector.builder().seed(6).delay(MS).jitter(MS / 2).build();
        try (InMemoryWire wire = InMemoryWire.builder().faultsAtoB(f).build()) {
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            for (int i = 0; i < 1000; i++) {
                fx.send(wire.a(), fx.cacheA, T0, WireFixture.frame(64, i));
                long arrival = wire.b().nextArrival();
                min = Math.min(min, arrival);
                max = Math.max(max, arrival);
                assertEquals(1, fx.receiveAll(wire.b(), fx.cacheB, arrival).size());
            }
            assertTrue(min >= T0 + MS && max <= T0 + MS + MS / 2, min + " " + max);
            assertTrue(max - min > MS / 4, "jitter spreads arrivals: " + (max - min));
        }
    }

    @Test
    void rateLimitBoundsDeliveredBytesPerVirtualSecond() {
        long rate = 10_000_000L;
        int burst = 3000;
        int length = 1000;
        FaultInjector f = FaultInjector.builder().seed(7).rateLimit(rate, burst, 20_000).build();
        try (InMemoryWire wire = InMemoryWire.builder().capacity(4096).faultsAtoB(f).build()) {
            long now = T0;
            long delivered = 0;
            // offered at 80 Mbit/s, eight times the limit, for 2 virtual seconds
            for (int i = 0; i < FRAMES; i++) {
                fx.send(wire.a(), fx.cacheA, now, WireFixture.frame(length, i));
                now += 100_000;
                delivered += (long) fx.receiveAll(wire.b(), fx.cacheB, now).size() * length;
                long allowed = (now - T0) * rate / 8 / 1_000_000_000L + burst + length;
                assertTrue(delivered <= allowed, "at " + (now - T0) + " ns: " + delivered + " > " + allowed);
            }
            long expected = (now - T0) * rate / 8 / 1_000_000_000L;
            assertTrue(delivered >= expected * 95 / 100, delivered + " bytes delivered, expected about " + expected);
            assertTrue(f.rateDropped() > FRAMES / 2, "rate drops " + f.rateDropped());
            assertEquals(f.rateDropped(), wire.a().counters().txDrops());
            assertTrue(f.rateQueued() > 0);
        }
    }

    @Test
    void differentSeedsMakeDifferentDecisions() {
        FaultInjector a = FaultInjector.builder().seed(10).loss(0.5).build();
        FaultInjector b = FaultInjector.builder().seed(11).loss(0.5).build();
        StringBuilder sa = new StringBuilder();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 64; i++) {
            sa.append(a.lose() ? '1' : '0');
            sb.append(b.lose() ? '1' : '0');
        }
        assertNotEquals(sa.toString(), sb.toString());
    }

    @Test
    void builderRejectsBadSettingsWithClearMessages() {
        assertMessage("loss probability must be in [0, 1], got 1.5", () -> FaultInjector.builder().loss(1.5));
        assertMessage("loss probability must be in [0, 1], got NaN", () -> FaultInjector.builder().loss(Double.NaN));
        assertMessage("delay must be at least 0 ns, got -1", () -> FaultInjector.builder().delay(-1));
        assertMessage("jitter must be at least 0 ns, got -2", () -> FaultInjector.builder().jitter(-2));
        assertMessage("reorder needs an extra delay above 0 ns, got 0", () -> FaultInjector.builder().reorder(0.1, 0));
        assertMessage("duplicate probability must be in [0, 1], got -0.1",
                () -> FaultInjector.builder().duplicate(-0.1));
        assertMessage("corrupt probability must be in [0, 1], got 2.0", () -> FaultInjector.builder().corrupt(2));
        assertMessage("rate must be at least 0 bits/s (0: no limit), got -5",
                () -> FaultInjector.builder().rateLimit(-5, 0, 0));
        assertMessage("rate limit burst and queue must be at least 0 bytes, got burst -1, queue 0",
                () -> FaultInjector.builder().rateLimit(1000, -1, 0));
    }

    private static void assertMessage(String message, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertEquals(message, e.getMessage());
    }
}
