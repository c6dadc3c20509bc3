package io.sluice.examples.jmh;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static io.sluice.session.segment.SharedAccess.LONG;

import io.sluice.core.sys.MemFd;
import io.sluice.core.sys.NativeFd;
import io.sluice.core.sys.SharedMemory;
import io.sluice.core.sys.SyscallException;
import io.sluice.session.fifo.ByteFifo;
import io.sluice.session.fifo.FifoLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
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
 * The {@link ByteFifo} operations TCP performs, one thread, with the FIFO's memory from each kind of arena: an
 * automatic, the global, a shared arena, and a memfd mapped through {@link SharedMemory}. Packet-side memory (the
 * source of writes, the destination of peeks) comes from a shared arena, as the buffer pool's does. Answers
 * whether the kind of arena behind a FIFO changes what TCP pays per segment.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class FifoArenaBench {

    private static final int CAPACITY = 4 << 20;
    private static final int MSS = 1460;
    private static final int WRITE = 64 * 1024;

    /** Where the FIFO's region comes from. */
    @Param({"auto", "global", "shared", "memfd"})
    String memory;

    private Arena fifoArena;
    private SharedMemory mapping;
    private Arena packetArena;
    private ByteFifo fifo;
    private MemorySegment region;
    private MemorySegment write;
    private MemorySegment packet;
    private int peekOffset;

    @Setup(Level.Trial)
    public void setUp() throws SyscallException {
        int ranges = FifoLayout.DEFAULT_MAX_RANGES;
        long footprint = FifoLayout.footprint(CAPACITY, ranges);
        MemorySegment memorySegment = switch (memory) {
            case "auto" -> Arena.ofAuto().allocate(footprint, FifoLayout.CACHE_LINE);
            case "global" -> Arena.global().allocate(footprint, FifoLayout.CACHE_LINE);
            case "shared" -> (fifoArena = Arena.ofShared()).allocate(footprint, FifoLayout.CACHE_LINE);
            case "memfd" -> mapMemfd(footprint);
            default -> throw new IllegalArgumentException("memory " + memory);
        };
        fifo = ByteFifo.format(memorySegment, CAPACITY, ranges);
        region = fifo.region();
        packetArena = Arena.ofShared();
        write = packetArena.allocate(WRITE, 64);
        packet = packetArena.allocate(2 * MSS, 64);
        for (int i = 0; i < WRITE; i++) {
            write.set(JAVA_BYTE, i, (byte) i);
        }
        // Half full: peeks, drops and out-of-order writes always find room and data.
        for (int i = 0; i < CAPACITY / 2 / WRITE; i++) {
            fifo.enqueue(write, 0, WRITE);
        }
    }

    private MemorySegment mapMemfd(long footprint) throws SyscallException {
        NativeFd fd = MemFd.create("fifo-arena-bench", MemFd.MFD_CLOEXEC);
        try {
            MemFd.truncate(fd, footprint);
            mapping = SharedMemory.map(fd, footprint);
        } finally {
            fd.close();
        }
        return mapping.segment();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SyscallException {
        packetArena.close();
        if (fifoArena != null) {
            fifoArena.close();
        }
        if (mapping != null) {
            mapping.close();
        }
    }

    /** The application's write of 64 KiB, and TCP dropping it as acknowledged (keeps the fill level). */
    @Benchmark
    public int enqueue64k() {
        int n = fifo.enqueue(write, 0, WRITE);
        return n + fifo.drop(n);
    }

    /** tcp4-output copying one segment's payload at an offset from the head into a packet buffer. */
    @Benchmark
    public int peekSegment() {
        int offset = peekOffset += MSS;
        if (offset > CAPACITY / 2 - MSS) {
            offset = peekOffset = 0;
        }
        return fifo.peek(offset, packet, 0, MSS);
    }

    /** tcp4-input writing one in-order segment, and an ACK dropping one segment's worth from the head. */
    @Benchmark
    public int enqueueAndDropSegment() {
        return fifo.enqueue(packet, 0, MSS) + fifo.drop(MSS);
    }

    /** The window and send-space queries TCP makes on every segment. */
    @Benchmark
    public int freeSpaceAndReadable() {
        return fifo.freeSpace() + fifo.readableBytes();
    }

    /** A segment arriving one segment early, the one that fills the hole, and the reader taking both. */
    @Benchmark
    public int outOfOrderThenFill() {
        fifo.enqueueOutOfOrder(MSS, packet, 0, MSS);
        fifo.enqueue(packet, 0, MSS);
        return fifo.drop(2 * MSS);
    }

    /** The application reading one segment's worth into its buffer, the writer refilling it. */
    @Benchmark
    public int enqueueDequeueSegment() {
        fifo.enqueue(packet, 0, MSS);
        return fifo.dequeue(packet, MSS, MSS);
    }

    /** The position protocol alone: an acquire load and a release store on the region. */
    @Benchmark
    public long acquireRelease() {
        long tail = (long) LONG.getAcquire(region, (long) FifoLayout.TAIL_OFFSET);
        LONG.setRelease(region, (long) FifoLayout.TAIL_OFFSET, tail);
        return tail;
    }

    /** A fresh slice of the region (as a view would make) and one segment copied out of it. */
    @Benchmark
    public MemorySegment sliceAndCopy() {
        MemorySegment slice = region.asSlice(FifoLayout.dataOffset(FifoLayout.DEFAULT_MAX_RANGES), CAPACITY);
        MemorySegment.copy(slice, 0, packet, 0, MSS);
        return slice;
    }

    /**
     * tcp4-output's peek while another thread closes shared arenas back to back (as a stack closing connections'
     * FIFOs or applications' mappings would): each close is a handshake with every thread.
     */
    @Benchmark
    @Group("closeElsewhere")
    @GroupThreads(1)
    public int peekWhileClosing() {
        return peekSegment();
    }

    /** The other thread of {@code closeElsewhere}: a shared arena made, used and closed. */
    @Benchmark
    @Group("closeElsewhere")
    @GroupThreads(1)
    public long closeSharedArena() {
        try (Arena closing = Arena.ofShared()) {
            return closing.allocate(64).address();
        }
    }
}
