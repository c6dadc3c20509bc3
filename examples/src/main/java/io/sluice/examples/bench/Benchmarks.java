package io.sluice.examples.bench;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The table of benchmark programs, and the {@code bin/sluice bench <name> [options]} command that runs one. To add
 * a benchmark, implement {@link Benchmark} and add it to the table below.
 */
public final class Benchmarks {

    private static final Map<String, Benchmark> TABLE = new LinkedHashMap<>();

    static {
        register(new FifoBenchmark());
        register(new MessageQueueBenchmark());
        register(new EngineBenchmark());
        register(new PingBenchmark());
        register(new TcpBenchmark());
        register(new CutThroughBenchmark());
        register(new RrBenchmark());
        register(new NettyEchoBenchmark());
        register(new HttpBenchmark());
    }

    private Benchmarks() {}

    private static void register(Benchmark benchmark) {
        if (TABLE.putIfAbsent(benchmark.name(), benchmark) != null) {
            throw new IllegalStateException("two benchmarks named " + benchmark.name());
        }
    }

    /** Every registered benchmark, in registration order. */
    public static Collection<Benchmark> all() {
        return Collections.unmodifiableCollection(TABLE.values());
    }

    /** The benchmark called {@code name}, or null. */
    public static Benchmark find(String name) {
        return TABLE.get(name);
    }

    /**
     * Runs {@code bench <name> [options]}: {@code args} are the words after {@code bench}. Unknown names and bad
     * options print a message and the usage to {@code err} and return 2.
     */
    public static int command(String[] args, PrintStream out, PrintStream err) throws Exception {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            printUsage(args.length == 0 ? err : out);
            return args.length == 0 ? 2 : 0;
        }
        Benchmark benchmark = find(args[0]);
        if (benchmark == null) {
            err.println("sluice bench: unknown benchmark '" + args[0] + "'");
            printUsage(err);
            return 2;
        }
        BenchOptions options;
        try {
            options = BenchOptions.parse(Arrays.copyOfRange(args, 1, args.length));
        } catch (IllegalArgumentException e) {
            err.println("sluice bench " + benchmark.name() + ": " + e.getMessage());
            printUsage(err);
            return 2;
        }
        if (options.help()) {
            printUsage(out);
            return 0;
        }
        return benchmark.run(options, out);
    }

    /** Prints the usage of {@code bench}: the benchmarks and the options they share. */
    public static void printUsage(PrintStream out) {
        out.println("usage: bin/sluice bench <benchmark> [options]");
        out.println();
        out.println("benchmarks:");
        for (Benchmark b : TABLE.values()) {
            out.printf("  %-10s %s%n", b.name(), b.summary());
        }
        out.println();
        out.println("options:");
        out.print(BenchOptions.USAGE);
    }
}
