package io.sluice.core.phy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LoopbackDeviceTest {

    private final WireFixture fx = new WireFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void whatIsTransmittedIsReceivedInOrder() {
        try (LoopbackDevice lo = new LoopbackDevice("lo", 0, 65535, 16)) {
            for (int i = 0; i < 10; i++) {
                assertEquals(1, fx.send(lo, fx.cacheA, 0, WireFixture.frame(60 + i, i)));
            }
            List<byte[]> got = fx.receiveAll(lo, fx.cacheA, 0);
            assertEquals(10, got.size());
            for (int i = 0; i < 10; i++) {
                assertArrayEquals(WireFixture.frame(60 + i, i), got.get(i));
            }
            assertEquals(10, lo.counters().rxPackets());
            assertEquals(lo.counters().txBytes(), lo.counters().rxBytes());
            assertNull(lo.receiveReadiness(0));
        }
        assertEquals(fx.inUseA, fx.poolA.buffersInUse());
    }

    @Test
    void aFullRingDropsAndCountsAndCloseFreesWhatIsHeld() {
        LoopbackDevice lo = new LoopbackDevice("lo", 0, 1500, 4);
        for (int i = 0; i < 6; i++) {
            fx.send(lo, fx.cacheA, 0, WireFixture.frame(100, i));
        }
        assertEquals(2, lo.counters().txDrops());
        assertEquals(4, lo.framesQueued());
        assertEquals(0, fx.send(lo, fx.cacheB, 0, WireFixture.frame(100, 9)), "a frame of another pool");
        assertEquals(1, lo.foreignPoolDrops());
        lo.close();
        fx.cacheA.flushAll();
        assertEquals(fx.inUseA, fx.poolA.buffersInUse());
        assertEquals(fx.inUseB, fx.poolB.buffersInUse());
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> new LoopbackDevice("lo", 0, 1500, 0));
        assertThrows(IllegalArgumentException.class, () -> new LoopbackDevice("lo", 0, 10, 4));
    }
}
