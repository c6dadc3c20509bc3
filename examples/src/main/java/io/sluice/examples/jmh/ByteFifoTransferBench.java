package io.sluice.examples.jmh;

import io.sluice.session.fifo.ByteFifo;
import io.sluice.session.fifo.FifoLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
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
 * A {@link ByteFifo} between two threads, as in {@code bench fifo}: one thread enqueues {@code chunk} bytes per
 * call, the other dequeues up to {@code chunk} bytes per call into a 1 MiB FIFO. A call that finds the FIFO full
 * (or empty) returns at once and still counts as a JMH operation; the {@code bytes} counters (bytes per second)
 * say how much really moved.
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ByteFifoTransferBench {

    private static final int CAPACITY = 1 << 20;

    @Param({"4096", "65536"})
    int chunk;

    private Arena arena;
    private ByteFifo fifo;
    private MemorySegment source;
    private MemorySegment destination;

    /** Bytes each side moved in the iteration; JMH reports them per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Moved {
        public long bytesIn;
        public long bytesOut;

        @Setup(Level.Iteration)
        public void reset() {
            bytesIn = 0;
            bytesOut = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        int ranges = FifoLayout.DEFAULT_MAX_RANGES;
        fifo = ByteFifo.format(arena.allocate(FifoLayout.footprint(CAPACITY, ranges), 64), CAPACITY, ranges);
        source = arena.allocate(chunk, 64);
        destination = arena.allocate(chunk, 64);
        source.fill((byte) 0x5a);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    @Group("transfer")
    @GroupThreads(1)
    public int produce(Moved moved) {
        int n = fifo.enqueue(source, 0, chunk);
        moved.bytesIn += n;
        return n;
    }

    @Benchmark
    @Group("transfer")
    @GroupThreads(1)
    public int consume(Moved moved) {
        int n = fifo.dequeue(destination, 0, chunk);
        moved.bytesOut += n;
        return n;
    }
}
