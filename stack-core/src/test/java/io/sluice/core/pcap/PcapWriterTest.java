package io.sluice.core.pcap;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.buffer.BufferPoolConfig;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapWriterTest {

    /** 2026-11-22T03:00:00Z plus a fraction, so seconds and nanoseconds both carry information. */
    private static final long T0 = 1_795_316_400_123_456_789L;

    @TempDir
    Path dir;

    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void closeArena() {
        arena.close();
    }

    private MemorySegment bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        MemorySegment s = arena.allocate(Math.max(1, n));
        MemorySegment.copy(b, 0, s, JAVA_BYTE, 0, n);
        return s;
    }

    private static byte[] array(MemorySegment s, long off, int n) {
        byte[] b = new byte[n];
        MemorySegment.copy(s, JAVA_BYTE, off, b, 0, n);
        return b;
    }

    @Test
    void headerAndRecordsReadBack() throws IOException {
        Path file = dir.resolve("a.pcap");
        MemorySegment a = bytes(60, 1);
        MemorySegment b = bytes(1514, 2);
        MemorySegment c = bytes(300, 3);
        try (PcapWriter w = PcapWriter.open(file, 65535, PcapWriter.UNLIMITED, PcapWriter.UNLIMITED)) {
            assertTrue(w.write(T0, a, 0, 60, 60));
            assertTrue(w.write(T0 + 1, b, 0, 1514, 1514));
            assertTrue(w.write(T0 + 2_000_000_000L, c, 100, 200, 200));
            assertEquals(3, w.packetsWritten());
            assertEquals(24 + 3 * 16 + 60 + 1514 + 200, w.bytesWritten());
            assertEquals(0, w.packetsTruncated());
        }
        assertEquals(24 + 3 * 16 + 60 + 1514 + 200, Files.size(file));

        PcapFileReader.Capture cap = PcapFileReader.read(file);
        assertEquals(ByteOrder.LITTLE_ENDIAN, cap.order());
        assertEquals(0xa1b23c4d, cap.magic());
        assertTrue(cap.nanoseconds());
        assertEquals(2, cap.versionMajor());
        assertEquals(4, cap.versionMinor());
        assertEquals(0, cap.thisZone());
        assertEquals(0, cap.sigFigs());
        assertEquals(65535, cap.snapLength());
        assertEquals(1, cap.linkType());
        assertEquals(3, cap.records().size());

        long seconds = T0 / 1_000_000_000L;
        long nanos = T0 % 1_000_000_000L;
        assertRecord(cap.records().get(0), seconds, nanos, 60, 60, array(a, 0, 60));
        assertRecord(cap.records().get(1), seconds, nanos + 1, 1514, 1514, array(b, 0, 1514));
        assertRecord(cap.records().get(2), seconds + 2, nanos, 200, 200, array(c, 100, 200));
    }

    private static void assertRecord(PcapFileReader.Record r, long seconds, long nanos, int included, int original,
            byte[] data) {
        assertEquals(seconds, r.seconds(), "ts_sec");
        assertEquals(nanos, r.fraction(), "ts_frac");
        assertEquals(included, r.includedLength(), "incl_len");
        assertEquals(original, r.originalLength(), "orig_len");
        assertArrayEquals(data, r.data());
    }

    @Test
    void snapLengthTruncates() throws IOException {
        Path file = dir.resolve("snap.pcap");
        MemorySegment p = bytes(200, 4);
        try (PcapWriter w = PcapWriter.open(file, 64, PcapWriter.UNLIMITED, PcapWriter.UNLIMITED)) {
            assertTrue(w.write(T0, p, 0, 200, 200));
            assertTrue(w.write(T0, p, 0, 64, 64));
            // A caller that already holds only part of a packet says how long it was.
            assertTrue(w.write(T0, p, 0, 50, 1500));
            assertEquals(2, w.packetsTruncated());
        }
        PcapFileReader.Capture cap = PcapFileReader.read(file);
        assertEquals(64, cap.snapLength());
        assertRecord(cap.records().get(0), T0 / 1_000_000_000L, T0 % 1_000_000_000L, 64, 200, array(p, 0, 64));
        assertRecord(cap.records().get(1), T0 / 1_000_000_000L, T0 % 1_000_000_000L, 64, 64, array(p, 0, 64));
        assertRecord(cap.records().get(2), T0 / 1_000_000_000L, T0 % 1_000_000_000L, 50, 1500, array(p, 0, 50));
    }

    @Test
    void chainedBuffersAreWrittenWhole() throws IOException {
        Path file = dir.resolve("chain.pcap");
        byte[] packet = new byte[5000];
        new Random(5).nextBytes(packet);
        try (BufferPool pool = BufferPool.create(new BufferPoolConfig(64, 2048, 128, 16))) {
            BufferCache cache = pool.newCache();
            int head = cache.copyIn(packet, 0, packet.length);
            assertEquals(3, pool.chainBufferCount(head));
            // Strip a header from the first buffer: the chain's current bytes are what is captured.
            int stripped = 14;
            pool.advance(head, stripped);
            int head2 = cache.copyIn(packet, 0, packet.length);
            try (PcapWriter w = PcapWriter.open(file, 65535, PcapWriter.UNLIMITED, PcapWriter.UNLIMITED);
                    PcapWriter small = PcapWriter.open(dir.resolve("chain-snap.pcap"), 3000, 10, 1 << 20)) {
                assertTrue(w.write(T0, pool, head));
                assertTrue(w.write(T0 + 5, pool, head2));
                assertTrue(small.write(T0, pool, head2));
                assertEquals(1, small.packetsTruncated());
            }
            cache.freeChain(head);
            cache.freeChain(head2);
        }
        PcapFileReader.Capture cap = PcapFileReader.read(file);
        assertEquals(2, cap.records().size());
        assertRecord(cap.records().get(0), T0 / 1_000_000_000L, T0 % 1_000_000_000L, 5000 - 14, 5000 - 14,
                Arrays.copyOfRange(packet, 14, 5000));
        assertRecord(cap.records().get(1), T0 / 1_000_000_000L, T0 % 1_000_000_000L + 5, 5000, 5000, packet);
        PcapFileReader.Capture snap = PcapFileReader.read(dir.resolve("chain-snap.pcap"));
        // 3000 bytes end inside the second buffer.
        assertRecord(snap.records().get(0), T0 / 1_000_000_000L, T0 % 1_000_000_000L, 3000, 5000,
                Arrays.copyOf(packet, 3000));
    }

    @Test
    void packetLimitStopsCapture() throws IOException {
        Path file = dir.resolve("max.pcap");
        MemorySegment p = bytes(100, 6);
        try (PcapWriter w = PcapWriter.open(file, 65535, 3, PcapWriter.UNLIMITED)) {
            assertTrue(w.write(T0, p, 0, 100, 100));
            assertTrue(w.write(T0 + 1, p, 0, 100, 100));
            assertTrue(w.isCapturing());
            assertTrue(w.write(T0 + 2, p, 0, 100, 100));
            assertFalse(w.isCapturing(), "the third packet reaches the limit");
            assertTrue(w.limitReached());
            assertFalse(w.write(T0 + 3, p, 0, 100, 100));
            assertFalse(w.write(T0 + 4, p, 0, 10, 10));
            assertEquals(3, w.packetsWritten());
            assertEquals(2, w.packetsRefusedByLimit());
            assertEquals(0, w.packetsRefusedByFailure());
        }
        assertEquals(3, PcapFileReader.read(file).records().size());
    }

    @Test
    void byteLimitStopsCaptureAtTheFirstPacketThatDoesNotFit() throws IOException {
        Path file = dir.resolve("bytes.pcap");
        MemorySegment p = bytes(100, 7);
        long max = 24 + 2 * (16 + 100) + 50;
        try (PcapWriter w = PcapWriter.open(file, 65535, PcapWriter.UNLIMITED, max)) {
            assertTrue(w.write(T0, p, 0, 100, 100));
            assertTrue(w.write(T0, p, 0, 100, 100));
            assertFalse(w.write(T0, p, 0, 100, 100));
            assertTrue(w.limitReached());
            // Stopped: even a packet that would fit is refused.
            assertFalse(w.write(T0, p, 0, 1, 1));
            assertEquals(2, w.packetsRefusedByLimit());
        }
        assertEquals(24 + 2 * (16 + 100), Files.size(file));
        assertTrue(Files.size(file) <= max);
    }

    @Test
    void zeroPacketLimitWritesAnEmptyCapture() throws IOException {
        Path file = dir.resolve("none.pcap");
        try (PcapWriter w = PcapWriter.open(file, 100, 0, PcapWriter.UNLIMITED)) {
            assertFalse(w.isCapturing());
            assertFalse(w.write(T0, bytes(10, 8), 0, 10, 10));
            assertEquals(1, w.packetsRefusedByLimit());
        }
        PcapFileReader.Capture cap = PcapFileReader.read(file);
        assertEquals(0, cap.records().size());
        assertEquals(100, cap.snapLength());
    }

    @Test
    void zeroLengthPacket() throws IOException {
        Path file = dir.resolve("zero.pcap");
        MemorySegment empty = MemorySegment.NULL.reinterpret(0);
        try (BufferPool pool = BufferPool.create(new BufferPoolConfig(16, 2048, 128, 4));
                PcapWriter w = PcapWriter.open(file, 100, 10, PcapWriter.UNLIMITED)) {
            BufferCache cache = pool.newCache();
            assertTrue(w.write(T0, empty, 0, 0, 0));
            int head = cache.copyIn(new byte[0], 0, 0);
            assertTrue(w.write(T0 + 1, pool, head));
            assertTrue(w.write(T0 + 2, empty, 0, 0, 60));
            cache.freeChain(head);
        }
        PcapFileReader.Capture cap = PcapFileReader.read(file);
        assertEquals(3, cap.records().size());
        assertRecord(cap.records().get(0), T0 / 1_000_000_000L, T0 % 1_000_000_000L, 0, 0, new byte[0]);
        assertRecord(cap.records().get(1), T0 / 1_000_000_000L, T0 % 1_000_000_000L + 1, 0, 0, new byte[0]);
        assertRecord(cap.records().get(2), T0 / 1_000_000_000L, T0 % 1_000_000_000L + 2, 0, 60, new byte[0]);
    }

    @Test
    void flushThenMore() throws IOException {
        Path file = dir.resolve("flush.pcap");
        MemorySegment p = bytes(80, 9);
        try (PcapWriter w = PcapWriter.open(file, 65535, PcapWriter.UNLIMITED, PcapWriter.UNLIMITED)) {
            assertEquals(0, Files.size(file), "nothing reaches the file before a flush");
            assertTrue(w.write(T0, p, 0, 80, 80));
            w.flush();
            assertEquals(0, w.stagedBytes());
            assertEquals(1, PcapFileReader.read(file).records().size());
            w.flush();
            assertTrue(w.write(T0 + 1, p, 0, 40, 80));
            assertTrue(w.write(T0 + 2, p, 0, 80, 80));
            assertEquals(1, PcapFileReader.read(file).records().size());
            w.flush();
            assertEquals(3, PcapFileReader.read(file).records().size());
            assertTrue(w.write(T0 + 3, p, 0, 80, 80));
        }
        PcapFileReader.Capture cap = PcapFileReader.read(file);
        assertEquals(4, cap.records().size());
        assertRecord(cap.records().get(1), T0 / 1_000_000_000L, T0 % 1_000_000_000L + 1, 40, 80, array(p, 0, 40));
        assertRecord(cap.records().get(3), T0 / 1_000_000_000L, T0 % 1_000_000_000L + 3, 80, 80, array(p, 0, 80));
    }

    @Test
    void fullStagingBufferGoesToTheFileOnTheDataPath() throws IOException {
        Path file = dir.resolve("staging.pcap");
        MemorySegment p = bytes(1000, 10);
        int stagingSize = 24 + 16 + 1500;
        try (PcapWriter w = PcapWriter.open(file, 1500, PcapWriter.UNLIMITED, PcapWriter.UNLIMITED, stagingSize)) {
            for (int i = 0; i < 100; i++) {
                assertTrue(w.write(T0 + i, p, 0, 1 + i * 9, 1 + i * 9));
            }
            assertTrue(Files.size(file) > 0, "drained while capturing");
        }
        PcapFileReader.Capture cap = PcapFileReader.read(file);
        assertEquals(100, cap.records().size());
        for (int i = 0; i < 100; i++) {
            int n = 1 + i * 9;
            assertRecord(cap.records().get(i), T0 / 1_000_000_000L, T0 % 1_000_000_000L + i, n, n, array(p, 0, n));
        }
    }

    @Test
    void closeIsIdempotentAndRefusesLaterPackets() throws IOException {
        Path file = dir.resolve("close.pcap");
        MemorySegment p = bytes(10, 11);
        PcapWriter w = PcapWriter.open(file, 100, PcapWriter.UNLIMITED, PcapWriter.UNLIMITED);
        assertTrue(w.write(T0, p, 0, 10, 10));
        w.close();
        assertTrue(w.isClosed());
        long size = Files.size(file);
        w.close();
        w.flush();
        assertFalse(w.write(T0, p, 0, 10, 10));
        assertEquals(1, w.packetsRefusedByFailure());
        assertEquals(size, Files.size(file));
        assertEquals(1, PcapFileReader.read(file).records().size());
    }

    @Test
    void timestampsAreSecondsAndNanoseconds() throws IOException {
        Path file = dir.resolve("time.pcap");
        MemorySegment p = bytes(1, 12);
        long[] times = {0, 1, 999_999_999, 1_000_000_000, 4_294_967_295L * 1_000_000_000L + 999_999_999};
        try (PcapWriter w = PcapWriter.open(file, 100, PcapWriter.UNLIMITED, PcapWriter.UNLIMITED)) {
            for (long t : times) {
                assertTrue(w.write(t, p, 0, 1, 1));
            }
        }
        PcapFileReader.Capture cap = PcapFileReader.read(file);
        for (int i = 0; i < times.length; i++) {
            assertEquals(times[i] / 1_000_000_000L, cap.records().get(i).seconds());
            assertEquals(times[i] % 1_000_000_000L, cap.records().get(i).fraction());
        }
    }

    @Test
    void openErrorsNameThePath() {
        Path missing = dir.resolve("no-such-dir").resolve("x.pcap");
        IOException e = assertThrows(IOException.class,
                () -> PcapWriter.open(missing, 100, 1, PcapWriter.UNLIMITED));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        IOException d = assertThrows(IOException.class, () -> PcapWriter.open(dir, 100, 1, PcapWriter.UNLIMITED));
        assertTrue(d.getMessage().contains(dir.toString()), d.getMessage());
    }

    @Test
    void badArgumentsAreRefused() {
        Path file = dir.resolve("args.pcap");
        assertThrows(IllegalArgumentException.class, () -> PcapWriter.open(file, 0, 1, PcapWriter.UNLIMITED));
        assertThrows(IllegalArgumentException.class,
                () -> PcapWriter.open(file, PcapFormat.MAX_SNAP_LENGTH + 1, 1, PcapWriter.UNLIMITED));
        assertThrows(IllegalArgumentException.class, () -> PcapWriter.open(file, 100, -1, PcapWriter.UNLIMITED));
        assertThrows(IllegalArgumentException.class, () -> PcapWriter.open(file, 100, 1, 23));
        assertThrows(IllegalArgumentException.class,
                () -> PcapWriter.open(file, 1500, 1, PcapWriter.UNLIMITED, 24 + 16 + 1499));
    }

    @Test
    void badPacketArgumentsThrowAndWriteNothing() throws IOException {
        Path file = dir.resolve("badpacket.pcap");
        MemorySegment p = bytes(10, 13);
        try (PcapWriter w = PcapWriter.open(file, 100, PcapWriter.UNLIMITED, PcapWriter.UNLIMITED)) {
            assertThrows(IllegalArgumentException.class, () -> w.write(T0, p, 0, 10, 9));
            assertThrows(IllegalArgumentException.class, () -> w.write(T0, p, 0, -1, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> w.write(T0, p, 5, 10, 10));
            assertEquals(0, w.packetsWritten());
            assertEquals(24, w.stagedBytes());
        }
        assertEquals(0, PcapFileReader.read(file).records().size());
    }

    /** {@code /dev/full} fails every write with ENOSPC: a disk that is full. */
    @Test
    void writeFailureMarksTheWriterFailedWithoutThrowingOnTheDataPath() throws IOException {
        Path full = Path.of("/dev/full");
        assumeTrue(Files.isWritable(full), "/dev/full is not available");
        MemorySegment p = bytes(500, 14);
        PcapWriter w = PcapWriter.open(full, 500, PcapWriter.UNLIMITED, PcapWriter.UNLIMITED, 4096);
        int written = 0;
        while (w.write(T0, p, 0, 500, 500)) {
            written++;
        }
        assertEquals(7, written, "(4096 - 24) / 516 records fit before the first drain");
        assertTrue(w.hasFailed());
        assertFalse(w.isCapturing());
        assertFalse(w.write(T0, p, 0, 500, 500));
        assertEquals(2, w.packetsRefusedByFailure());
        IOException flush = assertThrows(IOException.class, w::flush);
        assertTrue(flush.getMessage().contains("/dev/full"), flush.getMessage());
        IOException close = assertThrows(IOException.class, w::close);
        assertTrue(close.getMessage().contains("/dev/full"), close.getMessage());
        assertTrue(w.isClosed());
        w.close();
    }
}
