package io.sluice.core.phy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InMemoryWireTest {

    private static final long MS = 1_000_000L;
    private static final long T0 = 5_000 * MS;

    private final WireFixture fx = new WireFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    private void assertNoLeak() {
        assertEquals(fx.inUseA, fx.poolA.buffersInUse(), "pool a buffers in use");
        assertEquals(fx.inUseB, fx.poolB.buffersInUse(), "pool b buffers in use");
    }

    @Test
    void framesCrossIntactBothWays() {
        try (InMemoryWire wire = InMemoryWire.builder().build()) {
            int[] sizes = {18, 60, 64, 100, 1000, 1024, 1025, 1514, 1518};
            for (int i = 0; i < sizes.length; i++) {
                assertEquals(1, fx.send(wire.a(), fx.cacheA, T0, WireFixture.frame(sizes[i], i)));
                assertEquals(1, fx.send(wire.b(), fx.cacheB, T0, WireFixture.frame(sizes[i], 100 + i)));
            }
            List<byte[]> atB = fx.receiveAll(wire.b(), fx.cacheB, T0);
            List<byte[]> atA = fx.receiveAll(wire.a(), fx.cacheA, T0);
            assertEquals(sizes.length, atB.size());
            assertEquals(sizes.length, atA.size());
            for (int i = 0; i < sizes.length; i++) {
                assertArrayEquals(WireFixture.frame(sizes[i], i), atB.get(i), "a to b frame " + i);
                assertArrayEquals(WireFixture.frame(sizes[i], 100 + i), atA.get(i), "b to a frame " + i);
            }
            assertEquals(sizes.length, wire.a().counters().txPackets());
            assertEquals(sizes.length, wire.b().counters().rxPackets());
            assertEquals(wire.a().counters().txBytes(), wire.b().counters().rxBytes());
            assertNull(wire.a().receiveReadiness(0));
        }
        assertNoLeak();
    }

    @Test
    void delayIsHonoured() {
        FaultInjector f = FaultInjector.builder().delay(3 * MS).build();
        try (InMemoryWire wire = InMemoryWire.builder().faultsAtoB(f).build()) {
            fx.send(wire.a(), fx.cacheA, T0, WireFixture.frame(100, 1));
            assertEquals(T0 + 3 * MS, wire.b().nextArrival());
            assertEquals(0, fx.receiveAll(wire.b(), fx.cacheB, T0 + 3 * MS - 1).size());
            assertEquals(1, fx.receiveAll(wire.b(), fx.cacheB, T0 + 3 * MS).size());
            assertEquals(Long.MAX_VALUE, wire.b().nextArrival());
        }
        assertNoLeak();
    }

    @Test
    void oversizeAndInFlightCapacityDropsAreCounted() {
        FaultInjector f = FaultInjector.builder().delay(MS).build();
        try (InMemoryWire wire = InMemoryWire.builder().capacity(8).faultsAtoB(f).build()) {
            for (int i = 0; i < 20; i++) {
                fx.send(wire.a(), fx.cacheA, T0, WireFixture.frame(200, i));
            }
            assertEquals(0, fx.send(wire.a(), fx.cacheA, T0, WireFixture.frame(1519, 99)));
            assertEquals(12, wire.a().inFlightDrops());
            assertEquals(1, wire.a().oversizeDrops());
            assertEquals(13, wire.a().counters().txDrops());
            assertEquals(8, wire.a().counters().txPackets());
            List<byte[]> got = fx.receiveAll(wire.b(), fx.cacheB, T0 + MS);
            assertEquals(8, got.size());
            for (int i = 0; i < 8; i++) {
                assertEquals(i, WireFixture.sequenceOf(got.get(i)));
            }
            // the slots are free again
            assertEquals(1, fx.send(wire.a(), fx.cacheA, T0 + MS, WireFixture.frame(200, 50)));
        }
        assertNoLeak();
    }

    @Test
    void framesWaitOnTheWireWhenTheReceiverHasNoBuffers() {
        try (InMemoryWire wire = InMemoryWire.builder().build()) {
            fx.send(wire.a(), fx.cacheA, T0, WireFixture.frame(60, 1));
            int[] all = new int[8192];
            int taken = fx.cacheB.allocate(all, 0, all.length);
            int[] rx = new int[4];
            assertEquals(0, wire.b().receive(0, T0, fx.cacheB, rx, 0, 4));
            assertEquals(1, wire.b().framesInFlight());
            fx.cacheB.free(all, 0, taken);
            assertEquals(1, fx.receiveAll(wire.b(), fx.cacheB, T0).size());
        }
        assertNoLeak();
    }

    @Test
    void closeDiscardsFramesInFlightAndLeaksNothing() {
        FaultInjector f = FaultInjector.builder().delay(MS).build();
        InMemoryWire wire = InMemoryWire.builder().faultsAtoB(f).build();
        for (int i = 0; i < 100; i++) {
            fx.send(wire.a(), fx.cacheA, T0, WireFixture.frame(1500, i));
        }
        wire.close();
        assertEquals(0, fx.receiveAll(wire.b(), fx.cacheB, T0 + MS).size());
        assertEquals(0, fx.send(wire.a(), fx.cacheA, T0, WireFixture.frame(60, 1)));
        assertNoLeak();
    }

    /** What a run delivered: arrival time and bytes of each frame, in order. */
    private List<String> run(long seed, int frames) {
        FaultInjector f = FaultInjector.builder().seed(seed).loss(0.05).delay(MS).jitter(MS / 2).reorder(0.1, 3 * MS)
                .duplicate(0.05).corrupt(0.05).rateLimit(100_000_000L, 3000, 100_000).build();
        List<String> delivered = new ArrayList<>();
        try (InMemoryWire wire = InMemoryWire.builder().faultsAtoB(f).build()) {
            long now = T0;
            for (int i = 0; i < frames; i++) {
                fx.send(wire.a(), fx.cacheA, now, WireFixture.frame(64 + i % 1400, i));
                now += 50_000;
                for (byte[] b : fx.receiveAll(wire.b(), fx.cacheB, now)) {
                    delivered.add(now + ":" + Arrays.hashCode(b));
                }
            }
            for (byte[] b : fx.receiveAll(wire.b(), fx.cacheB, now + 10 * MS)) {
                delivered.add("end:" + Arrays.hashCode(b));
            }
        }
        return delivered;
    }

    @Test
    void theSameSeedReplaysExactlyAndAnotherSeedDiffers() {
        List<String> first = run(42, 2000);
        List<String> again = run(42, 2000);
        List<String> other = run(43, 2000);
        assertEquals(first, again);
        assertNotEquals(first, other);
        assertNoLeak();
    }

    @Test
    void builderRejectsBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> InMemoryWire.builder().capacity(0));
        assertThrows(IllegalArgumentException.class, () -> InMemoryWire.builder().mtu(67));
        assertThrows(IllegalArgumentException.class, () -> InMemoryWire.builder().ends("x", 1, "x", 2));
        assertThrows(IllegalArgumentException.class, () -> InMemoryWire.builder().ends("x", 1L << 48, "y", 2));
        FaultInjector shared = FaultInjector.none();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InMemoryWire.builder().faultsAtoB(shared).faultsBtoA(shared).build());
        assertTrue(e.getMessage().contains("own FaultInjector"), e.getMessage());
    }
}
