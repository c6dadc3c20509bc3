package io.sluice.examples.bench;

import io.sluice.core.sys.CpuAffinity;
import io.sluice.core.sys.NativeAccess;
import io.sluice.core.sys.SyscallException;
import io.sluice.core.util.AllocationMeter;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;

/** Runs contenders in interleaved rounds after a warm-up, and the small helpers the benchmarks share. */
final class Rounds {

    private Rounds() {}

    /**
     * Warms every contender up, then measures them in {@code options.rounds()} interleaved rounds (round 1 of each,
     * round 2 of each...), so a noisy neighbour hurts all of them alike; prints each figure.
     *
     * @param unitScale the rate is divided by this before printing (1e9 for GB/s)
     * @return the median rate of each contender, in units per second, in the order given
     */
    static double[] run(List<Contender> contenders, BenchOptions options, PrintStream out, String unit,
            double unitScale) throws Exception {
        int width = contenders.stream().mapToInt(c -> c.name().length()).max().orElse(8);
        String line = "  %-8s %-" + width + "s %10.2f %s%n";
        if (options.warmupSeconds() > 0) {
            for (Contender c : contenders) {
                double rate = c.measure(options.warmupSeconds());
                out.printf(Locale.ROOT, line, "warm-up", c.name(), rate / unitScale, unit);
            }
        }
        double[][] rates = new double[contenders.size()][options.rounds()];
        for (int r = 0; r < options.rounds(); r++) {
            for (int i = 0; i < contenders.size(); i++) {
                Contender c = contenders.get(i);
                rates[i][r] = c.measure(options.roundSeconds());
                out.printf(Locale.ROOT, line, "round " + (r + 1), c.name(), rates[i][r] / unitScale, unit);
            }
        }
        double[] medians = new double[contenders.size()];
        for (int i = 0; i < medians.length; i++) {
            medians[i] = median(rates[i]);
            out.printf(Locale.ROOT, line, "median", contenders.get(i).name(), medians[i] / unitScale, unit);
        }
        return medians;
    }

    /** The median (the mean of the two middle values for an even count). */
    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /**
     * Measures the rate at which {@code counter} grows over {@code seconds}, sampling it at both ends. Waits a little
     * first so the workers are past their start-up.
     */
    static double sampleRate(ProgressCounter counter, double seconds) throws InterruptedException {
        long settleNanos = Math.min(20_000_000L, (long) (seconds * 1e8));
        sleepNanos(settleNanos);
        long startCount = counter.get();
        long startNanos = System.nanoTime();
        sleepNanos((long) (seconds * 1e9));
        long endCount = counter.get();
        long endNanos = System.nanoTime();
        return (endCount - startCount) * 1e9 / (endNanos - startNanos);
    }

    private static void sleepNanos(long nanos) throws InterruptedException {
        Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    }

    /** A worker body that may throw. */
    /**
     * Which core a thread of a two-thread benchmark runs on. When the process may use two CPUs or more, the
     * writing side is pinned to the first and the reading side to the second, for every contender alike (Sluice,
     * the kernel, JCTools): Sluice's workers are pinned to cores when configured, and pinning both contenders keeps
     * the comparison even while sparing them migrations. With fewer CPUs nothing is pinned.
     */
    enum Side {
        WRITER(0), READER(1);

        private static final int[] ALLOWED_CPUS = allowedCpus();

        private final int index;

        Side(int index) {
            this.index = index;
        }

        void pinCallingThread() throws SyscallException {
            if (ALLOWED_CPUS.length >= 2) {
                CpuAffinity.pin(ALLOWED_CPUS[index]);
            }
        }

        /** One line for the benchmark's header: where the sides run. */
        static String describe() {
            return ALLOWED_CPUS.length >= 2
                    ? "writer pinned to CPU " + ALLOWED_CPUS[0] + ", reader to CPU " + ALLOWED_CPUS[1]
                    : "threads not pinned (fewer than two CPUs allowed)";
        }

        private static int[] allowedCpus() {
            try {
                return CpuAffinity.get().stream().toArray();
            } catch (SyscallException | UnsupportedOperationException e) {
                return new int[0];
            }
        }
    }

    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    /**
     * Starts a platform thread running {@code body}; a failure is kept in {@code failure} (first one wins) for
     * {@link #join} to rethrow on the measuring thread.
     */
    static Thread start(String name, Side side, AtomicReference<Throwable> failure, Body body) {
        Thread t = unstarted(name, side, failure, body);
        t.start();
        return t;
    }

    /** As {@link #start}, but the thread is not started yet (so a {@link Wakeup} can be made for it first). */
    static Thread unstarted(String name, Side side, AtomicReference<Throwable> failure, Body body) {
        return Thread.ofPlatform().name(name).daemon(true).unstarted(() -> {
            try {
                side.pinCallingThread();
                // A worker prepares its native scratch area at start; allocation counted after this is steady state.
                NativeAccess.prepareCurrentThread();
                body.run();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        });
    }

    /** Joins the threads (bounded), then rethrows the first failure any of them recorded. */
    static void join(AtomicReference<Throwable> failure, Thread... threads) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        for (Thread t : threads) {
            long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            if (!t.join(Duration.ofMillis(left))) {
                throw new IllegalStateException(t.getName() + " did not stop within 30 s");
            }
        }
        Throwable e = failure.get();
        if (e instanceof Exception ex) {
            throw ex;
        } else if (e instanceof Error err) {
            throw err;
        }
    }

    /** Bytes {@link AllocationMeter#allocatedBytes()} itself accounts to a call. */
    static long meterOverhead() {
        long a = AllocationMeter.allocatedBytes();
        long b = AllocationMeter.allocatedBytes();
        return b - a;
    }

    /** A pseudo-random fill, so data moved is not all zeros. */
    static void fillRandom(MemorySegment segment) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (long i = 0; i + 8 <= segment.byteSize(); i += 8) {
            segment.set(ValueLayout.JAVA_LONG_UNALIGNED, i, random.nextLong());
        }
    }
}
