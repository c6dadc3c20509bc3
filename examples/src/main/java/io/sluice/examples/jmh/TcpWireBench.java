package io.sluice.examples.jmh;

import io.sluice.core.wire.Tcp;
import io.sluice.core.wire.TcpOptions;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-segment cost of the TCP wire layer: parsing the options of a data segment (Timestamps and three SACK blocks,
 * the largest common case) and of a SYN, and building then checking a full-sized data segment (header, options,
 * checksum over 1448 bytes of data).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class TcpWireBench {

    private static final int SOURCE = 0xc612_0001;
    private static final int DESTINATION = 0xc612_0002;
    private static final int PAYLOAD = 1448;

    private final TcpOptions options = new TcpOptions();
    private final int[] sackEdges = {100, 200, 300, 400, 500, 600};
    private Arena arena;
    private MemorySegment data;
    private MemorySegment syn;
    private MemorySegment out;
    private int sequence;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        data = arena.allocate(Tcp.MAX_HEADER_LENGTH + PAYLOAD, 64);
        int length = TcpOptions.emitSegment(data, Tcp.OPTIONS, true, 1, 2, sackEdges, 3);
        Tcp.emit(data, 0, 40000, 80, 1, 2, Tcp.ACK, 1000, length, PAYLOAD, SOURCE, DESTINATION);
        syn = arena.allocate(Tcp.MAX_HEADER_LENGTH, 64);
        length = TcpOptions.emitSyn(syn, Tcp.OPTIONS, 1460, 7, true, true, 1, 0);
        Tcp.emit(syn, 0, 40000, 80, 1, 0, Tcp.SYN, 65535, length, 0, SOURCE, DESTINATION);
        out = arena.allocate(Tcp.MAX_HEADER_LENGTH + PAYLOAD, 64);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    /** Options of a data segment: NOP NOP Timestamps NOP NOP SACK with three blocks (40 bytes). */
    @Benchmark
    public int parseDataSegmentOptions() {
        return options.parseSegment(data, 0) + options.sackRight(2) + options.timestampEcho();
    }

    /** Options of a SYN: MSS, SACK-permitted, Timestamps, NOP, Window Scale (20 bytes). */
    @Benchmark
    public int parseSynOptions() {
        return options.parseSegment(syn, 0) + options.mss() + options.windowShift();
    }

    /** A full-sized data segment written (Timestamps, one SACK block, checksum) and checked as a receiver would. */
    @Benchmark
    public int emitAndCheckDataSegment() {
        int seq = sequence += PAYLOAD;
        int length = TcpOptions.emitSegment(out, Tcp.OPTIONS, true, seq, 7, sackEdges, 1);
        int header = Tcp.emit(out, 0, 40000, 80, seq, 9, Tcp.ACK, 1000, length, PAYLOAD, SOURCE, DESTINATION);
        return Tcp.check(out, 0, header + PAYLOAD, SOURCE, DESTINATION, false);
    }
}
