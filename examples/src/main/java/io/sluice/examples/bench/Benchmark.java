package io.sluice.examples.bench;

import java.io.PrintStream;

/**
 * A benchmark program run by {@code bin/sluice bench <name>}: it measures Sluice and, in the same run, the
 * counterpart it is compared with, prints per-round figures and ends with one summary line whose form is fixed (CI
 * and the docs parse it). Register new ones in {@link Benchmarks}.
 */
public interface Benchmark {

    /** The name after {@code bench} on the command line. */
    String name();

    /** One line for the help listing. */
    String summary();

    /**
     * Runs the benchmark, printing progress and figures to {@code out}; the last line printed is the summary.
     *
     * @return the process exit code: 0, or 1 when the run proved something wrong (e.g. a checksum mismatch)
     */
    int run(BenchOptions options, PrintStream out) throws Exception;
}
