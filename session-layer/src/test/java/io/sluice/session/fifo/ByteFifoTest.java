package io.sluice.session.fifo;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.util.AllocationMeter;
import io.sluice.session.segment.SharedMemoryCorruptedException;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ByteFifoTest {

    private final Arena arena = Arena.ofShared();

    @AfterEach
    void close() {
        arena.close();
    }

    private ByteFifo newFifo(int capacity, int maxRanges) {
        return ByteFifo.format(arena.allocate(FifoLayout.footprint(capacity, maxRanges), 64), capacity, maxRanges);
    }

    /** Deterministic stream content: the byte at stream position p. */
    private static byte streamByte(long p) {
        return (byte) (p * 31 + (p >>> 8));
    }

    private MemorySegment stream(long from, int length) {
        MemorySegment s = arena.allocate(Math.max(1, length));
        for (int i = 0; i < length; i++) {
            s.set(JAVA_BYTE, i, streamByte(from + i));
        }
        return s;
    }

    private static byte[] bytes(int from, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = streamByte(from + i);
        }
        return b;
    }

    private byte[] drainAll(ByteFifo fifo) {
        byte[] out = new byte[fifo.readableBytes()];
        assertEquals(out.length, fifo.dequeue(out, 0, out.length));
        return out;
    }

    @Nested
    class Creation {

        @Test
        void formatThenAttachSeesTheSameFifo() {
            MemorySegment region = arena.allocate(FifoLayout.footprint(4096, 8), 64);
            ByteFifo writer = ByteFifo.format(region, 4096, 8);
            ByteFifo reader = ByteFifo.attach(region);
            assertEquals(4096, reader.capacity());
            assertEquals(8, reader.maxOutOfOrderRanges());
            assertEquals(100, writer.enqueue(bytes(0, 100), 0, 100));
            assertArrayEquals(bytes(0, 100), drainAll(reader));
        }

        @Test
        void rejectsRegionsThatCannotHoldIt() {
            MemorySegment small = arena.allocate(FifoLayout.footprint(4096, 8) - 1, 64);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ByteFifo.format(small, 4096, 8));
            assertTrue(e.getMessage().contains("smaller than"), e.getMessage());
            MemorySegment misaligned = arena.allocate(FifoLayout.footprint(4096, 8) + 64, 64).asSlice(8);
            assertThrows(IllegalArgumentException.class, () -> ByteFifo.format(misaligned, 4096, 8));
            MemorySegment heap = MemorySegment.ofArray(new byte[8192]);
            assertThrows(IllegalArgumentException.class, () -> ByteFifo.format(heap, 4096, 0));
            assertThrows(IllegalArgumentException.class, () -> newFifo(FifoLayout.MIN_CAPACITY - 1, 0));
            assertThrows(IllegalArgumentException.class, () -> newFifo(4096, FifoLayout.MAX_RANGES_LIMIT + 1));
        }

        @Test
        void attachRejectsBadHeaders() {
            MemorySegment region = arena.allocate(FifoLayout.footprint(4096, 8), 64);
            assertThrows(SharedMemoryCorruptedException.class, () -> ByteFifo.attach(region)); // never formatted
            ByteFifo.format(region, 4096, 8);
            region.set(JAVA_INT, FifoLayout.CAPACITY_OFFSET, 1 << 20); // claims more than the region holds
            SharedMemoryCorruptedException e =
                    assertThrows(SharedMemoryCorruptedException.class, () -> ByteFifo.attach(region));
            assertTrue(e.getMessage().contains("capacity 1048576"), e.getMessage());
            region.set(JAVA_INT, FifoLayout.CAPACITY_OFFSET, -5);
            assertThrows(SharedMemoryCorruptedException.class, () -> ByteFifo.attach(region));
        }
    }

    @Nested
    class InOrder {

        @Test
        void fillsExactlyToCapacityAndEmptiesExactly() {
            ByteFifo fifo = newFifo(1000, 0);
            assertEquals(1000, fifo.freeSpace());
            assertTrue(fifo.isEmpty());
            assertEquals(1000, fifo.enqueue(stream(0, 1500), 0, 1500));
            assertEquals(0, fifo.freeSpace());
            assertEquals(0, fifo.enqueue(stream(0, 10), 0, 10));
            assertEquals(1000, fifo.readableBytes());
            byte[] out = new byte[1500];
            assertEquals(1000, fifo.dequeue(out, 0, 1500));
            assertEquals(0, fifo.dequeue(out, 0, 1500));
            assertEquals(1000, fifo.freeSpace());
            assertArrayEquals(bytes(0, 1000), Arrays.copyOf(out, 1000));
        }

        @Test
        void wrapsAroundTheEndOfTheDataArea() {
            ByteFifo fifo = newFifo(100, 0);
            long written = 0;
            long read = 0;
            // Sizes chosen so writes and reads straddle the end of the ring at many different points.
            for (int round = 0; round < 200; round++) {
                int w = 1 + (round * 37) % 99;
                int n = fifo.enqueue(stream(written, w), 0, w);
                written += n;
                byte[] out = new byte[1 + (round * 53) % 99];
                int got = fifo.dequeue(out, 0, out.length);
                for (int i = 0; i < got; i++) {
                    assertEquals(streamByte(read + i), out[i], "byte " + (read + i));
                }
                read += got;
            }
            assertTrue(written > 5000, "the loop wrapped many times");
        }

        @Test
        void allSourceAndDestinationKindsAgree() {
            ByteFifo fifo = newFifo(256, 0);
            Random random = new Random(1);
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            ByteArrayOutputStream actual = new ByteArrayOutputStream();
            int position = 0;
            for (int i = 0; i < 2000; i++) {
                int length = random.nextInt(80);
                byte[] chunk = bytes(position, length);
                int written = switch (i % 4) {
                    case 0 -> fifo.enqueue(chunk, 0, length);
                    case 1 -> fifo.enqueue(ByteBuffer.wrap(chunk));
                    case 2 -> {
                        ByteBuffer direct = ByteBuffer.allocateDirect(length).put(chunk).flip();
                        int n = fifo.enqueue(direct);
                        assertEquals(n, direct.position(), "source position advanced by the bytes taken");
                        yield n;
                    }
                    default -> fifo.enqueue(MemorySegment.ofArray(chunk), 0, length);
                };
                expected.write(chunk, 0, written);
                position += written;
                int want = random.nextInt(80);
                byte[] out = new byte[want];
                int got = switch (i % 3) {
                    case 0 -> fifo.dequeue(out, 0, want);
                    case 1 -> {
                        ByteBuffer b = ByteBuffer.allocateDirect(want);
                        int n = fifo.dequeue(b);
                        assertEquals(n, b.position());
                        b.flip().get(out, 0, n);
                        yield n;
                    }
                    default -> fifo.dequeue(MemorySegment.ofArray(out), 0, want);
                };
                actual.write(out, 0, got);
            }
            byte[] rest = drainAll(fifo);
            actual.write(rest, 0, rest.length);
            assertArrayEquals(expected.toByteArray(), actual.toByteArray());
        }

        @Test
        void zeroCopyWindowsStopAtTheRingEnd() {
            ByteFifo fifo = newFifo(100, 0);
            fifo.enqueue(stream(0, 70), 0, 70);
            fifo.drop(70);
            assertEquals(70, fifo.tailIndex());
            assertEquals(30, fifo.writableContiguous(), "up to the end of the ring, not the whole free space");
            MemorySegment.copy(stream(70, 30), 0, fifo.data(), fifo.tailIndex(), 30);
            assertEquals(30, fifo.commitEnqueue(30));
            assertEquals(0, fifo.tailIndex());
            assertEquals(70, fifo.writableContiguous());
            assertThrows(IllegalArgumentException.class, () -> fifo.commitEnqueue(71));

            assertEquals(70, fifo.headIndex());
            assertEquals(30, fifo.readableContiguous());
            assertEquals(streamByte(70), fifo.data().get(JAVA_BYTE, fifo.headIndex()));
            assertEquals(30, fifo.drop(30));
            assertEquals(0, fifo.readableContiguous());
        }

        @Test
        void peekAtOffsetThenDropIsTheSendBufferContract() {
            ByteFifo fifo = newFifo(128, 0);
            fifo.enqueue(stream(0, 100), 0, 100);
            fifo.drop(60);
            fifo.enqueue(stream(100, 80), 0, 80); // wraps
            MemorySegment out = arena.allocate(200);
            assertEquals(50, fifo.peek(20, out, 0, 50));
            for (int i = 0; i < 50; i++) {
                assertEquals(streamByte(80 + i), out.get(JAVA_BYTE, i));
            }
            assertEquals(120, fifo.readableBytes(), "peek consumes nothing");
            assertEquals(20, fifo.peek(100, out, 0, 50), "clipped at the end");
            assertEquals(0, fifo.peek(120, out, 0, 50));
            assertEquals(0, fifo.peek(500, out, 0, 50));
            assertThrows(IllegalArgumentException.class, () -> fifo.peek(-1, out, 0, 1));
            assertEquals(120, fifo.drop(1000), "drop is clipped to what is there");
            assertTrue(fifo.isEmpty());
        }

        @Test
        void rejectsNegativeLengths() {
            ByteFifo fifo = newFifo(128, 4);
            MemorySegment s = stream(0, 4);
            assertThrows(IllegalArgumentException.class, () -> fifo.enqueue(s, 0, -1));
            assertThrows(IllegalArgumentException.class, () -> fifo.dequeue(s, 0, -1));
            assertThrows(IllegalArgumentException.class, () -> fifo.drop(-1));
            assertThrows(IllegalArgumentException.class, () -> fifo.enqueueOutOfOrder(1, s, 0, -1));
            assertThrows(IndexOutOfBoundsException.class, () -> fifo.enqueue(new byte[4], 2, 3));
        }
    }

    @Nested
    class OutOfOrder {

        private ByteFifo fifo;

        private void write(int offset, int length) {
            int taken = fifo.enqueueOutOfOrder(offset, stream(offset, length), 0, length);
            assertEquals(length, taken);
        }

        private void assertRanges(int... offsetLengthPairs) {
            assertEquals(offsetLengthPairs.length / 2, fifo.outOfOrderRangeCount(), fifo.toString());
            for (int i = 0; i < offsetLengthPairs.length / 2; i++) {
                assertEquals(offsetLengthPairs[2 * i], fifo.outOfOrderRangeOffset(i), "range " + i + " offset");
                assertEquals(offsetLengthPairs[2 * i + 1], fifo.outOfOrderRangeLength(i), "range " + i + " length");
            }
        }

        @Test
        void tailJumpsOverARangeWhenTheHoleFills() {
            fifo = newFifo(1000, 8);
            write(10, 5);
            assertRanges(10, 5);
            assertEquals(0, fifo.readableBytes(), "early data is not readable");
            assertEquals(15, fifo.enqueue(stream(0, 10), 0, 10), "tail advances over the absorbed range");
            assertRanges();
            assertArrayEquals(bytes(0, 15), drainAll(fifo));
        }

        @Test
        void mergesOverlappingTouchingAndBridgingRanges() {
            fifo = newFifo(1000, 8);
            write(100, 10);
            write(200, 10);
            write(300, 10);
            assertRanges(100, 10, 200, 10, 300, 10);
            write(105, 10); // overlaps the first on its right
            assertRanges(100, 15, 200, 10, 300, 10);
            write(190, 10); // touches the second on its left
            assertRanges(100, 15, 190, 20, 300, 10);
            write(102, 3); // inside the first
            assertRanges(100, 15, 190, 20, 300, 10);
            write(50, 300); // covers all three
            assertRanges(50, 300);
            write(20, 10); // a new one before
            write(400, 5); // and one after
            assertRanges(20, 10, 50, 300, 400, 5);
            write(30, 20); // bridges the first two exactly
            assertRanges(20, 330, 400, 5);
            assertEquals(350, fifo.enqueue(stream(0, 20), 0, 20));
            assertRanges(400 - 350, 5);
        }

        @Test
        void fullRangeTableRefusesANewRangeButStillMerges() {
            fifo = newFifo(1000, 2);
            write(10, 5);
            write(30, 5);
            assertEquals(0, fifo.enqueueOutOfOrder(50, stream(50, 5), 0, 5), "a third separate range");
            assertEquals(5, fifo.enqueueOutOfOrder(35, stream(35, 5), 0, 5), "extending one is fine");
            assertRanges(10, 5, 30, 10);
        }

        @Test
        void writesAreClippedToTheWindow() {
            fifo = newFifo(100, 4);
            fifo.enqueue(stream(0, 40), 0, 40);
            fifo.drop(20); // window: positions [40, 120)
            assertEquals(20, fifo.enqueueOutOfOrder(60, stream(100, 30), 0, 30), "clipped at head + capacity");
            assertEquals(0, fifo.enqueueOutOfOrder(80, stream(120, 5), 0, 5), "entirely outside the window");
            assertEquals(0, fifo.enqueueOutOfOrder(5, stream(45, 0), 0, 0));
            assertThrows(IllegalArgumentException.class, () -> fifo.enqueueOutOfOrder(0, stream(0, 1), 0, 1));
            ByteFifo noTable = newFifo(100, 0);
            assertEquals(0, noTable.enqueueOutOfOrder(5, stream(5, 5), 0, 5));
            assertEquals(0, noTable.outOfOrderRangeCount());
        }

        @Test
        void reassemblesARandomlyReorderedDuplicatedStream() {
            // A TCP-like receiver: segments of a 200 kB stream arrive shuffled within a sliding window, some twice;
            // the application reads at random moments. The bytes it reads must be the stream, in order.
            for (long seed = 1; seed <= 20; seed++) {
                Random random = new Random(seed);
                fifo = newFifo(4096, 16);
                int streamLength = 200_000;
                List<int[]> pending = new ArrayList<>();
                int nextToCut = 0;
                long receiveNext = 0;
                long delivered = 0;
                byte[] buffer = new byte[4096];
                int guard = 0;
                while (delivered < streamLength) {
                    assertTrue(++guard < 2_000_000, "seed " + seed + " makes progress");
                    while (pending.size() < 12 && nextToCut < streamLength) {
                        int length = Math.min(1 + random.nextInt(700), streamLength - nextToCut);
                        pending.add(new int[] {nextToCut, length});
                        nextToCut += length;
                    }
                    if (!pending.isEmpty()) {
                        // Any pending segment may arrive next; one that is not acknowledged yet stays pending and
                        // is sent again later (a duplicate, or a retransmission of what the FIFO could not take).
                        int[] segment = pending.get(random.nextInt(pending.size()));
                        receiveNext += deliver(segment[0], segment[1], receiveNext);
                        long acknowledged = receiveNext;
                        pending.removeIf(s -> s[0] + s[1] <= acknowledged);
                    }
                    if (random.nextInt(3) == 0 || fifo.freeSpace() == 0 || pending.isEmpty()) {
                        int got = fifo.dequeue(buffer, 0, random.nextInt(buffer.length));
                        for (int i = 0; i < got; i++) {
                            assertEquals(streamByte(delivered + i), buffer[i], "seed " + seed);
                        }
                        delivered += got;
                    }
                }
                assertEquals(streamLength, delivered);
            }
        }

        /** Delivers the segment [start, start + length) to the FIFO as TCP would; returns how far RCV.NXT moved. */
        private int deliver(int start, int length, long receiveNext) {
            long end = start + (long) length;
            if (end <= receiveNext) {
                return 0; // old duplicate
            }
            if (start <= receiveNext) {
                int skip = (int) (receiveNext - start);
                return fifo.enqueue(stream(receiveNext, length - skip), 0, length - skip);
            }
            fifo.enqueueOutOfOrder((int) (start - receiveNext), stream(start, length), 0, length);
            return 0;
        }
    }

    @Nested
    class Notifications {

        @Test
        void eventFlagIsRaisedOnlyByTheFirstWriterUntilCleared() {
            ByteFifo fifo = newFifo(128, 0);
            assertFalse(fifo.hasEvent());
            assertTrue(fifo.setEvent());
            assertFalse(fifo.setEvent(), "the pending event covers this write");
            assertTrue(fifo.hasEvent());
            fifo.clearEvent();
            assertFalse(fifo.hasEvent());
            assertTrue(fifo.setEvent());
        }

        @Test
        void notifyIfFullAnswersOnceWhenAFullFifoDrains() {
            ByteFifo fifo = newFifo(128, 0);
            fifo.enqueue(stream(0, 128), 0, 128);
            fifo.requestDequeueNotification(ByteFifo.NOTIFY_IF_FULL);
            assertEquals(ByteFifo.NOTIFY_IF_FULL, fifo.requestedDequeueNotification());
            int before = fifo.readableBytes();
            fifo.drop(10);
            assertTrue(fifo.needsDequeueNotification(before));
            assertEquals(0, fifo.requestedDequeueNotification(), "answered requests are cleared");
            before = fifo.readableBytes();
            fifo.drop(10);
            assertFalse(fifo.needsDequeueNotification(before));
        }

        @Test
        void notifyIfFullIgnoresDequeuesFromAFifoThatWasNotFull() {
            ByteFifo fifo = newFifo(128, 0);
            fifo.enqueue(stream(0, 100), 0, 100);
            fifo.requestDequeueNotification(ByteFifo.NOTIFY_IF_FULL);
            int before = fifo.readableBytes();
            fifo.drop(10);
            assertFalse(fifo.needsDequeueNotification(before));
            assertEquals(ByteFifo.NOTIFY_IF_FULL, fifo.requestedDequeueNotification(), "still waiting");
        }

        @Test
        void notifyIfEmptyAndAlways() {
            ByteFifo fifo = newFifo(128, 0);
            fifo.enqueue(stream(0, 50), 0, 50);
            fifo.requestDequeueNotification(ByteFifo.NOTIFY_IF_EMPTY);
            fifo.drop(20);
            assertFalse(fifo.needsDequeueNotification(50));
            fifo.drop(30);
            assertTrue(fifo.needsDequeueNotification(30));
            fifo.requestDequeueNotification(ByteFifo.NOTIFY_ALWAYS);
            assertTrue(fifo.needsDequeueNotification(0));
            assertThrows(IllegalArgumentException.class, () -> fifo.requestDequeueNotification(0));
            assertThrows(IllegalArgumentException.class, () -> fifo.requestDequeueNotification(8));
        }
    }

    @Nested
    class Corruption {

        @Test
        void scribbledPositionsFailWithAClearErrorAndTouchNothing() {
            MemorySegment region = arena.allocate(FifoLayout.footprint(256, 4), 64);
            ByteFifo fifo = ByteFifo.format(region, 256, 4);
            fifo.enqueue(stream(0, 100), 0, 100);
            region.set(JAVA_LONG, FifoLayout.TAIL_OFFSET, 100_000);
            SharedMemoryCorruptedException e =
                    assertThrows(SharedMemoryCorruptedException.class, fifo::readableBytes);
            assertTrue(e.getMessage().contains("tail 100000"), e.getMessage());
            assertThrows(SharedMemoryCorruptedException.class, () -> fifo.dequeue(new byte[10], 0, 10));
            region.set(JAVA_LONG, FifoLayout.TAIL_OFFSET, -1);
            assertThrows(SharedMemoryCorruptedException.class, fifo::freeSpace);
            region.set(JAVA_LONG, FifoLayout.TAIL_OFFSET, 100);
            region.set(JAVA_LONG, FifoLayout.HEAD_OFFSET, 101);
            assertThrows(SharedMemoryCorruptedException.class, () -> fifo.enqueue(stream(0, 1), 0, 1));
        }

        @Test
        void scribbledCapacityIsIgnoredByAnExistingView() {
            MemorySegment region = arena.allocate(FifoLayout.footprint(256, 4), 64);
            ByteFifo fifo = ByteFifo.format(region, 256, 4);
            region.set(JAVA_INT, FifoLayout.CAPACITY_OFFSET, Integer.MAX_VALUE);
            assertEquals(256, fifo.enqueue(stream(0, 1000), 0, 1000), "the view keeps the capacity it attached with");
        }

        @Test
        void scribbledRangeTableIsDetected() {
            MemorySegment region = arena.allocate(FifoLayout.footprint(256, 4), 64);
            ByteFifo fifo = ByteFifo.format(region, 256, 4);
            fifo.enqueueOutOfOrder(10, stream(10, 5), 0, 5);
            fifo.enqueueOutOfOrder(30, stream(30, 5), 0, 5);
            region.set(JAVA_INT, FifoLayout.OUT_OF_ORDER_COUNT_OFFSET, 99);
            assertThrows(SharedMemoryCorruptedException.class, fifo::outOfOrderRangeCount);
            region.set(JAVA_INT, FifoLayout.OUT_OF_ORDER_COUNT_OFFSET, 2);
            // Second range now starts before the first ends: out of order.
            region.set(JAVA_LONG, FifoLayout.RANGES_OFFSET + FifoLayout.RANGE_SIZE, 12);
            assertThrows(SharedMemoryCorruptedException.class, () -> fifo.enqueue(stream(0, 10), 0, 10));
            region.set(JAVA_LONG, FifoLayout.RANGES_OFFSET + FifoLayout.RANGE_SIZE, 30);
            // A range reaching past the window.
            region.set(JAVA_LONG, FifoLayout.RANGES_OFFSET + FifoLayout.RANGE_SIZE + 8, 10_000);
            assertThrows(SharedMemoryCorruptedException.class, () -> fifo.outOfOrderRangeLength(1));
        }
    }

    @Test
    void userDataWordsRoundTrip() {
        ByteFifo fifo = newFifo(128, 0);
        for (int i = 0; i < 4; i++) {
            fifo.setUserData(i, 1000L + i);
        }
        ByteFifo other = ByteFifo.attach(fifo.region());
        assertEquals(1003L, other.userData(3));
        assertThrows(IndexOutOfBoundsException.class, () -> fifo.userData(4));
    }

    @Test
    void steadyStateOperationsAllocateNothing() {
        ByteFifo fifo = newFifo(64 * 1024, 8);
        MemorySegment chunk = stream(0, 4096);
        byte[] array = new byte[4096];
        ByteBuffer direct = ByteBuffer.allocateDirect(4096);
        long allocated = AllocationMeter.allocatedInSteadyState(() -> {
            for (int i = 0; i < 2_000; i++) {
                fifo.enqueue(chunk, 0, 4096);
                fifo.enqueueOutOfOrder(100, chunk, 0, 100);
                fifo.outOfOrderRangeCount();
                fifo.enqueue(array, 0, 4096);
                direct.clear();
                fifo.enqueue(direct);
                fifo.setEvent();
                fifo.clearEvent();
                fifo.peek(10, chunk, 0, 1000);
                fifo.dequeue(array, 0, 4096);
                direct.clear();
                fifo.dequeue(direct);
                fifo.requestDequeueNotification(ByteFifo.NOTIFY_IF_EMPTY);
                fifo.drop(fifo.readableBytes());
                fifo.needsDequeueNotification(0);
            }
        });
        assertEquals(0, allocated, "bytes allocated by 2000 rounds of FIFO operations");
    }
}
