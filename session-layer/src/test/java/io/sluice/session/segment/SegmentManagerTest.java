package io.sluice.session.segment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.sys.SharedMemory;
import io.sluice.core.tcp.layer.TcpBufferFactory;
import io.sluice.core.tcp.layer.TcpBuffers;
import io.sluice.core.util.AllocationMeter;
import io.sluice.session.fifo.ByteFifo;
import io.sluice.session.testing.OpenMemfds;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The segment manager: pairs from several threads never overlap and all come back, segments come and go with the
 * listener told, limits refuse with messages that say what, the application's own mapping sees the stack's bytes,
 * allocation is allocation-free, and closing leaves no memfd open.
 */
class SegmentManagerTest {

    private static final int RX = 4096;
    private static final int TX = 2048;
    private static final long PAIR = FifoSegment.slotBytes(TX, RX);

    /** Records what the listener hears. */
    private static final class Recorder implements SegmentManager.Listener {
        final List<Long> added = new CopyOnWriteArrayList<>();
        final List<Long> removed = new CopyOnWriteArrayList<>();

        @Override
        public void segmentAdded(FifoSegment segment) {
            added.add(segment.id());
        }

        @Override
        public void segmentRemoved(FifoSegment segment) {
            removed.add(segment.id());
        }
    }

    private static SegmentManager manager(String app, long segmentBytes, SegmentLimits limits,
            SegmentManager.Listener listener) throws SegmentException {
        return new SegmentManager(app, RX, TX, segmentBytes, limits, new AtomicLong(1), listener);
    }

    @Test
    @Timeout(60)
    void concurrentAllocationsNeverOverlapAndAllComeBack() throws Exception {
        int threads = 4;
        int rounds = 20_000;
        Recorder recorder = new Recorder();
        try (SegmentManager segments = manager("concurrent", 8 * PAIR, SegmentLimits.DEFAULT, recorder)) {
            Set<Long> held = ConcurrentHashMap.newKeySet();
            AtomicLong overlaps = new AtomicLong();
            AtomicLong allocations = new AtomicLong();
            AtomicLong frees = new AtomicLong();
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    long stamp = 0x5EED_0000L + t;
                    done.add(pool.submit(() -> {
                        start.await();
                        List<FifoPair> mine = new ArrayList<>();
                        Random random = new Random(stamp);
                        for (int i = 0; i < rounds; i++) {
                            if (mine.size() < 12 && (mine.isEmpty() || random.nextBoolean())) {
                                FifoPair pair = segments.allocate();
                                allocations.incrementAndGet();
                                long key = pair.segmentId() << 32 | pair.slot();
                                if (!held.add(key)) {
                                    overlaps.incrementAndGet();
                                }
                                // Stamp both FIFOs; another holder of the same memory would change the stamp.
                                pair.tx().setUserData(0, stamp);
                                pair.rx().setUserData(0, stamp);
                                mine.add(pair);
                            } else {
                                FifoPair pair = mine.remove(random.nextInt(mine.size()));
                                if (pair.tx().userData(0) != stamp || pair.rx().userData(0) != stamp) {
                                    overlaps.incrementAndGet();
                                }
                                held.remove(pair.segmentId() << 32 | pair.slot());
                                segments.free(pair);
                                frees.incrementAndGet();
                            }
                        }
                        for (FifoPair pair : mine) {
                            held.remove(pair.segmentId() << 32 | pair.slot());
                            segments.free(pair);
                            frees.incrementAndGet();
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> future : done) {
                    future.get(50, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(0, overlaps.get(), "no pair handed to two holders at once");
            assertEquals(allocations.get(), frees.get(), "every pair allocated was freed");
            assertTrue(allocations.get() > rounds, "the threads did allocate: " + allocations.get());
            assertEquals(0, segments.inUse(), "nothing in use at the end");
            assertEquals(1, segments.segmentCount(), "only the first segment is left");
            assertEquals(recorder.added.size() - 1, recorder.removed.size(), "every extra segment was removed");
            assertTrue(recorder.added.size() > 1, "48 pairs at once needed more than one segment of 8");
        }
    }

    @Test
    void aFullSegmentAddsOneAndAnEmptiedExtraOneIsRemoved() throws Exception {
        Recorder recorder = new Recorder();
        try (SegmentManager segments = manager("growing", 2 * PAIR, SegmentLimits.DEFAULT, recorder)) {
            assertEquals(0, segments.segmentCount(), "no segment before the first pair");
            FifoPair first = segments.allocate();
            FifoPair second = segments.allocate();
            assertEquals(List.of(first.segmentId()), recorder.added);
            assertSame(first.segment(), second.segment());
            assertEquals(2, first.segment().slotCount());

            FifoPair third = segments.allocate();
            assertNotEquals(first.segmentId(), third.segmentId(), "a full segment makes another");
            assertEquals(List.of(first.segmentId(), third.segmentId()), recorder.added, "listener told of both");
            assertEquals(2, segments.segmentCount());
            assertEquals(3, segments.inUse());

            segments.free(third);
            assertEquals(List.of(third.segmentId()), recorder.removed, "the emptied extra segment is removed");
            assertEquals(1, segments.segmentCount());
            assertTrue(third.segment().isSealed());

            segments.free(first);
            segments.free(second);
            assertEquals(1, segments.segmentCount(), "the first segment stays though empty");
            assertEquals(1, recorder.removed.size());
            assertThrows(IllegalStateException.class, () -> segments.free(first), "a double free is caught");

            FifoPair again = segments.allocate();
            assertSame(first.segment(), again.segment(), "the first segment serves again");
            assertEquals(0, again.rx().readableBytes());
        }
    }

    @Test
    void limitsRefuseWithMessagesThatSayWhat() throws Exception {
        SegmentLimits limits = new SegmentLimits(64 * 1024, 2, 1L << 30);
        SegmentException tooBig = assertThrows(SegmentException.class,
                () -> new SegmentManager("greedy", 1 << 20, TX, 1 << 20, limits, new AtomicLong(1),
                        SegmentManager.Listener.NONE));
        assertEquals("application 'greedy' asked for rx-fifo-size 1048576; the stack allows 64 to 65536 bytes",
                tooBig.getMessage());
        SegmentException tinyTx = assertThrows(SegmentException.class,
                () -> new SegmentManager("tiny", RX, 10, 1 << 20, limits, new AtomicLong(1),
                        SegmentManager.Listener.NONE));
        assertTrue(tinyTx.getMessage().contains("tx-fifo-size 10"), tinyTx.getMessage());

        try (SegmentManager segments = manager("bounded", PAIR, limits, SegmentManager.Listener.NONE)) {
            segments.allocate();
            segments.allocate();
            SegmentException full = assertThrows(SegmentException.class, segments::allocate);
            assertEquals("application 'bounded' has 2 FIFO pairs in 2 segments, the stack's limit of segments per"
                    + " application", full.getMessage());
            TcpBufferFactory tcp = segments.tcpBuffers();
            assertNull(tcp.allocate(), "the TCP view refuses with null");
            assertEquals(1, segments.tcpRefusals());
            assertEquals(full.getMessage(), segments.lastTcpRefusal());
        }

        SegmentLimits fewBytes = new SegmentLimits(64 * 1024, 10, 3 * onePairSegment());
        try (SegmentManager segments = manager("thrifty", PAIR, fewBytes, SegmentManager.Listener.NONE)) {
            for (int i = 0; i < 3; i++) {
                segments.allocate();
            }
            SegmentException bytes = assertThrows(SegmentException.class, segments::allocate);
            assertTrue(bytes.getMessage().contains("limit of " + 3 * onePairSegment() + " bytes"),
                    bytes.getMessage());
        }

        SegmentManager closed = manager("gone", PAIR, limits, SegmentManager.Listener.NONE);
        closed.close();
        assertEquals("application 'gone' is detached: its segments are closed",
                assertThrows(SegmentException.class, closed::allocate).getMessage());
    }

    @Test
    void theApplicationsOwnMappingSeesTheStacksBytes() throws Exception {
        try (SegmentManager segments = manager("mapped", 4 * PAIR, SegmentLimits.DEFAULT,
                SegmentManager.Listener.NONE)) {
            segments.allocate(); // the pair under test is not at offset 0
            FifoPair pair = segments.allocate();
            FifoSegment segment = pair.segment();
            try (SharedMemory app = SharedMemory.map(segment.memfd(), segment.size())) {
                ByteFifo appRx = ByteFifo.attach(app.segment().asSlice(pair.rxOffset()));
                ByteFifo appTx = ByteFifo.attach(app.segment().asSlice(pair.txOffset()));
                assertEquals(RX, appRx.capacity());
                assertEquals(TX, appTx.capacity());
                assertNotEquals(pair.rx().region().address(), appRx.region().address(), "a second mapping");

                byte[] sent = new byte[3000];
                new Random(5).nextBytes(sent);
                assertEquals(sent.length, pair.rx().enqueue(sent, 0, sent.length));
                byte[] got = new byte[sent.length];
                assertEquals(sent.length, appRx.dequeue(got, 0, got.length));
                assertArrayEquals(sent, got, "the stack's rx bytes read intact through the application's mapping");

                byte[] reply = new byte[TX];
                new Random(6).nextBytes(reply);
                assertEquals(TX, appTx.enqueue(reply, 0, reply.length));
                byte[] read = new byte[TX];
                assertEquals(TX, pair.tx().dequeue(read, 0, read.length));
                assertArrayEquals(reply, read, "the application's tx bytes read intact by the stack");
            }
        }
    }

    @Test
    void allocatingAndFreeingAllocatesNothing() throws Exception {
        try (SegmentManager segments = manager("frugal", 16 * PAIR, SegmentLimits.DEFAULT,
                SegmentManager.Listener.NONE)) {
            FifoPair[] held = new FifoPair[16];
            TcpBufferFactory tcp = segments.tcpBuffers();
            TcpBuffers[] tcpHeld = new TcpBuffers[16];
            long bytes = AllocationMeter.allocatedInSteadyState(() -> {
                try {
                    for (int i = 0; i < held.length; i++) {
                        held[i] = segments.allocate();
                    }
                    for (FifoPair pair : held) {
                        segments.free(pair);
                    }
                } catch (SegmentException e) {
                    throw new AssertionError(e);
                }
                for (int i = 0; i < tcpHeld.length; i++) {
                    tcpHeld[i] = tcp.allocate();
                }
                for (TcpBuffers buffers : tcpHeld) {
                    tcp.release(buffers);
                }
            });
            assertEquals(0, bytes, "allocate/free and the TCP view allocate nothing in steady state");
            assertEquals(0, segments.inUse());
        }
    }

    @Test
    @Timeout(30)
    void closingLeavesNoMemfdOpen() throws Exception {
        String app = "closing-" + ProcessHandle.current().pid();
        Recorder recorder = new Recorder();
        SegmentManager segments = manager(app, PAIR, SegmentLimits.DEFAULT, recorder);
        for (int i = 0; i < 5; i++) {
            segments.allocate();
        }
        assertEquals(5, recorder.added.size());
        assertEquals(5, memfdsOf(app), "one memfd per segment while attached");
        segments.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (memfdsOf(app) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, memfdsOf(app), "no memfd of the application left in /proc/self/fd");
        assertTrue(segments.isClosed());
    }

    /** Open descriptors of this process that are the FIFO segments of {@code app}. */
    private static long memfdsOf(String app) {
        return OpenMemfds.count("sluice-fifos-" + app + "-");
    }

    /** The bytes of a segment of one pair: a whole number of pages. */
    private static long onePairSegment() {
        long page = SharedMemory.pageSize();
        return (PAIR + page - 1) / page * page;
    }
}
