package io.sluice.core.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.buffer.BufferPoolConfig;
import io.sluice.core.util.AllocationMeter;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Capturing allocates nothing on the Java heap per packet, drains of the staging buffer to the file included: the
 * staging buffer is small here so that each measured run writes to the file several times.
 */
class PcapWriterAllocationFreeTest {

    /** Packets per run: half from a segment, half from a two-buffer chain. */
    private static final int PACKETS = 400;
    private static final int STAGING = 16 * 1024;

    @TempDir
    Path dir;

    @Test
    void writesAndDrainsAllocateNothing() throws IOException {
        Path file = dir.resolve("alloc.pcap");
        try (Arena arena = Arena.ofConfined();
                BufferPool pool = BufferPool.create(new BufferPoolConfig(16, 2048, 128, 4));
                PcapWriter w = PcapWriter.open(file, 2200, PcapWriter.UNLIMITED, PcapWriter.UNLIMITED, STAGING)) {
            MemorySegment frame = arena.allocate(3000);
            int small = TestFrames.udp(frame, 0, 0x0a000001, 0x0a000002, 53, 60);
            BufferCache cache = pool.newCache();
            int large = TestFrames.udp(frame, 0, 0x0a000001, 0x0a000002, 9000, 2400);
            int chain = cache.copyIn(frame, 0, large);
            assertEquals(2, pool.chainBufferCount(chain));

            long[] time = {1_795_316_400_000_000_000L};
            boolean[] ok = {true};
            long allocated = AllocationMeter.allocatedInSteadyState(() -> {
                for (int i = 0; i < PACKETS / 2; i++) {
                    ok[0] &= w.write(time[0]++, frame, 0, small, small);
                    ok[0] &= w.write(time[0]++, pool, chain);
                }
            });
            assertEquals(0, allocated, "bytes allocated on the heap by " + PACKETS + " captured packets");
            assertTrue(ok[0], "every packet captured");
            assertEquals(0, w.packetsRefusedByLimit() + w.packetsRefusedByFailure());
            long perRun = (long) PACKETS / 2 * (16 + small + 16 + 2200);
            assertTrue(perRun > 4 * STAGING, "each run drains the staging buffer several times");
            w.flush();
            assertEquals(w.bytesWritten(), Files.size(file));
            cache.freeChain(chain);
        }
        PcapFileReader.Capture cap = PcapFileReader.read(file);
        assertEquals(TestFrames.HEADERS + 2400, cap.records().get(1).originalLength());
        assertEquals(2200, cap.records().get(1).includedLength());
    }
}
