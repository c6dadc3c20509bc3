package io.sluice.examples.jmh;

import io.sluice.examples.bench.EngineBenchmark;
import io.sluice.examples.bench.EngineBenchmark.Pipeline;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-packet cost of one worker's protocol graph (the pipeline of {@code bin/sluice bench engine}): each invocation
 * is one pass of the worker loop carrying a vector of 256 echo requests from the source through ethernet-input,
 * ip4-input, icmp4-input or udp4-input and ip4-output to the sink. With {@code -prof gc},
 * {@code gc.alloc.rate.norm} is the bytes allocated per packet: it must be 0.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class EngineBench {

    private static final int VECTOR = 256;

    @Param({"ICMP", "UDP"})
    EngineBenchmark.Traffic traffic;

    private Pipeline pipeline;

    @Setup
    public void setUp() {
        pipeline = new Pipeline(traffic, VECTOR);
    }

    @Benchmark
    @OperationsPerInvocation(VECTOR)
    public int packet() {
        return pipeline.runOnce(System.nanoTime());
    }

    @TearDown
    public void tearDown() {
        boolean clean = pipeline.isClean();
        pipeline.close();
        if (!clean) {
            throw new IllegalStateException("a reply was wrong, a packet dropped or a buffer lost");
        }
    }
}
