package io.sluice.examples.jmh;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.sluice.session.fifo.ByteFifo;
import io.sluice.session.fifo.FifoLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-operation cost of a {@link ByteFifo} on one thread (no cross-core traffic): what the producer and consumer
 * pay in bookkeeping and copying for one write and one read of {@code size} bytes, in order and out of order.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ByteFifoBench {

    private static final int CAPACITY = 1 << 20;

    @Param({"64", "4096"})
    int size;

    private Arena arena;
    private ByteFifo fifo;
    private MemorySegment source;
    private MemorySegment destination;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        int ranges = FifoLayout.DEFAULT_MAX_RANGES;
        fifo = ByteFifo.format(arena.allocate(FifoLayout.footprint(CAPACITY, ranges), 64), CAPACITY, ranges);
        source = arena.allocate(size, 64);
        destination = arena.allocate(2L * size, 64);
        for (int i = 0; i < size; i++) {
            source.set(JAVA_BYTE, i, (byte) i);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    /** One in-order write and the read that takes it out. */
    @Benchmark
    public int enqueueDequeue() {
        fifo.enqueue(source, 0, size);
        return fifo.dequeue(destination, 0, size);
    }

    /**
     * TCP's reordering case: a segment arrives one segment early and is written in place beyond the tail, then the
     * missing one fills the hole (the tail jumps over both), then the reader takes both out.
     */
    @Benchmark
    public int outOfOrderThenFill() {
        fifo.enqueueOutOfOrder(size, source, 0, size);
        fifo.enqueue(source, 0, size);
        return fifo.dequeue(destination, 0, 2 * size);
    }
}
