package io.sluice.core.phy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.core.pcap.PcapWriter;
import io.sluice.core.util.AllocationMeter;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Transmit and receive cycles allocate nothing once warm, with every fault enabled. */
class PhyAllocationFreeTest {

    private static final int BATCH = 32;

    @TempDir
    Path dir;

    private final WireFixture fx = new WireFixture();
    private final int[] tx = new int[BATCH];
    private final int[] rx = new int[BATCH * 4];
    private final byte[] frame = WireFixture.frame(1200, 7);
    private long now = 1_000_000_000L;

    @AfterEach
    void close() {
        fx.close();
    }

    /** One cycle: a batch a to b, time steps 1 ms, everything due is received and freed. */
    private void cycle(Device a, Device b) {
        for (int k = 0; k < BATCH; k++) {
            tx[k] = fx.cacheA.copyIn(frame, 0, frame.length);
        }
        a.transmit(0, now, fx.cacheA, tx, 0, BATCH);
        now += 1_000_000;
        int n = b.receive(0, now, fx.cacheB, rx, 0, rx.length);
        for (int k = 0; k < n; k++) {
            fx.cacheB.freeChain(rx[k]);
        }
    }

    @Test
    void wireWithAllFaultsAllocatesNothing() {
        FaultInjector f = FaultInjector.builder().seed(9).loss(0.05).delay(500_000).jitter(200_000)
                .reorder(0.1, 300_000).duplicate(0.05).corrupt(0.05).rateLimit(1_000_000_000L, 10_000, 100_000)
                .build();
        try (InMemoryWire wire = InMemoryWire.builder().faultsAtoB(f).build()) {
            long bytes = AllocationMeter.allocatedInSteadyState(() -> {
                for (int i = 0; i < 100; i++) {
                    cycle(wire.a(), wire.b());
                }
            });
            assertEquals(0, bytes);
        }
    }

    @Test
    void loopbackAndPcapDecoratorAllocateNothing() throws IOException {
        try (PcapDevice lo = new PcapDevice(new LoopbackDevice("lo", 0, 1500, 64))) {
            lo.startCapture(PcapWriter.open(dir.resolve("lo.pcap"), 128, PcapWriter.UNLIMITED,
                    PcapWriter.UNLIMITED), true, true);
            long bytes = AllocationMeter.allocatedInSteadyState(() -> {
                for (int i = 0; i < 100; i++) {
                    for (int k = 0; k < BATCH; k++) {
                        tx[k] = fx.cacheA.copyIn(frame, 0, frame.length);
                    }
                    lo.transmit(0, now, fx.cacheA, tx, 0, BATCH);
                    int n = lo.receive(0, now, fx.cacheA, rx, 0, rx.length);
                    for (int k = 0; k < n; k++) {
                        fx.cacheA.freeChain(rx[k]);
                    }
                    now += 1000;
                }
            });
            assertEquals(0, bytes);
        }
    }
}
