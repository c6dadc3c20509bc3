package io.sluice.examples.bench;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.EventExecutor;
import io.sluice.comms.Sluice;
import io.sluice.core.config.VclConfig;
import io.sluice.examples.netty.EchoClient;
import io.sluice.examples.netty.EchoServer;
import io.sluice.examples.netty.NettyLoops;
import io.sluice.examples.netty.NettyTransport;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * {@code bench netty-echo}: the {@code run echo-server}/{@code echo-client} examples, both ends in this process.
 * <ul>
 *   <li>{@code sluice}: Sluice's Netty transport on an embedded stack without interfaces, so 127.0.0.1 is the stack's
 *       loopback and the connection is cut through (FIFO to FIFO, no TCP); idle loops sleep on their eventfd at
 *       once (the transport's default);</li>
 *   <li>{@code sluice-busy-poll}: the same with loops that poll for {@value #BUSY_POLL_MICROS} µs before they sleep
 *       ({@code SluiceIoHandler.newFactory(sluice, busyPollMicros)}): a core each for latency;</li>
 *   <li>{@code epoll}: Netty's native epoll transport over kernel loopback TCP.</li>
 * </ul>
 * Each contender has a server loop and a client loop (one thread each). First 64-byte messages one at a time (round
 * trips per second, p50/p99, and the bytes the two loop threads allocated per round trip, from the JVM's per-thread
 * allocation counters), then 64 KiB messages streamed with up to 1 MiB unanswered (echoed bytes per second, in
 * Gbit/s). Rounds are interleaved; medians are reported. The summary compares the sleeping Sluice transport, the
 * default, with epoll.
 */
public final class NettyEchoBenchmark implements Benchmark {

    static final int RR_BYTES = 64;
    static final int STREAM_BYTES = 64 << 10;
    static final int STREAM_WINDOW = 1 << 20;
    static final int BUSY_POLL_MICROS = 100;

    @Override
    public String name() {
        return "netty-echo";
    }

    @Override
    public String summary() {
        return "Netty echo, both ends in one process: Sluice transport cut through vs Netty epoll over loopback";
    }

    @Override
    public int run(BenchOptions options, PrintStream out) throws Exception {
        double seconds = Math.max(0.2, options.roundSeconds());
        out.printf(Locale.ROOT, "bench netty-echo: %d rounds of %.1f s per contender and phase; %d-byte round trips,"
                + " then %d KiB messages streamed (%d KiB in flight at most); a server and a client loop each%n",
                options.rounds(), seconds, RR_BYTES, STREAM_BYTES >> 10, STREAM_WINDOW >> 10);
        // The leak detector records a stack trace for a sample of buffers: a debugging aid that would be counted
        // as the transports' allocation.
        ResourceLeakDetector.Level leakDetection = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        Path dir = Files.createTempDirectory("sluice-netty-echo");
        List<Pair> pairs = new ArrayList<>();
        try (Sluice sluice = embeddedStack(dir)) {
            try {
                pairs.add(new Pair("sluice", NettyLoops.onSluice(sluice, 0)));
                pairs.add(new Pair("sluice-busy-poll", NettyLoops.onSluice(sluice, BUSY_POLL_MICROS)));
                String epollProblem = NettyTransport.EPOLL.unavailabilityReason();
                if (epollProblem != null) {
                    out.println("bench netty-echo: " + epollProblem + "; measuring Sluice alone");
                } else {
                    pairs.add(new Pair("epoll", NettyLoops.kernel(NettyTransport.EPOLL)));
                }
                return measure(pairs, options, seconds, out);
            } finally {
                // The loops go before the stack they are workers of.
                for (Pair p : pairs) {
                    p.close();
                }
            }
        } finally {
            Files.deleteIfExists(dir.resolve("app.sock"));
            Files.deleteIfExists(dir.resolve("cli.sock"));
            Files.deleteIfExists(dir);
            ResourceLeakDetector.setLevel(leakDetection);
        }
    }

    private static int measure(List<Pair> pairs, BenchOptions options, double seconds, PrintStream out)
            throws Exception {
        int n = pairs.size();
        double[][] rate = new double[n][options.rounds()];
        double[][] p99 = new double[n][options.rounds()];
        double[][] allocated = new double[n][options.rounds()];
        double[][] gbits = new double[n][options.rounds()];
        Duration warmup = Duration.ofMillis(Math.round(options.warmupSeconds() * 1000));
        Duration round = Duration.ofMillis(Math.round(seconds * 1000));
        if (!warmup.isZero()) {
            for (Pair p : pairs) {
                p.roundTrips(warmup);
                p.stream(warmup);
            }
        }
        for (int r = 0; r < options.rounds(); r++) {
            StringBuilder line = new StringBuilder("round " + (r + 1) + ": ");
            for (int i = 0; i < n; i++) {
                Pair p = pairs.get(i);
                EchoClient.RoundTrips rt = p.roundTrips(round);
                rate[i][r] = rt.perSecond();
                p99[i][r] = rt.p99Nanos() / 1e3;
                allocated[i][r] = rt.allocatedPerRoundTrip();
                line.append(String.format(Locale.ROOT, "%s%s %.0f rt/s (p50 %.1f us, p99 %.1f us, %.1f B/rt)",
                        i == 0 ? "" : ", ", p.name, rate[i][r], rt.p50Nanos() / 1e3, p99[i][r], allocated[i][r]));
            }
            out.println(line);
            line = new StringBuilder("round " + (r + 1) + ": ");
            for (int i = 0; i < n; i++) {
                Pair p = pairs.get(i);
                gbits[i][r] = p.stream(round) * 8 / 1e9;
                line.append(String.format(Locale.ROOT, "%s%s %.2f Gbit/s", i == 0 ? "" : ", ", p.name, gbits[i][r]));
            }
            out.println(line);
        }
        for (int i = 0; i < n; i++) {
            out.printf(Locale.ROOT, "median %s: %.0f rt/s, p99 %.1f us, %.1f B allocated per round trip by the loop"
                    + " threads; %.2f Gbit/s streamed%n", pairs.get(i).name, Rounds.median(rate[i]),
                    Rounds.median(p99[i]), Rounds.median(allocated[i]), Rounds.median(gbits[i]));
        }
        double x = Rounds.median(rate[0]);
        if (n < 3) {
            out.printf(Locale.ROOT, "bench netty-echo: sluice %.0f rt/s, epoll n/a rt/s, ratio n/a%n", x);
            return 0;
        }
        double y = Rounds.median(rate[2]);
        out.printf(Locale.ROOT, "bench netty-echo: streamed sluice %.2f Gbit/s, epoll %.2f Gbit/s, ratio %.2f%n",
                Rounds.median(gbits[0]), Rounds.median(gbits[2]), Rounds.median(gbits[0]) / Rounds.median(gbits[2]));
        out.printf(Locale.ROOT, "bench netty-echo: sluice %.0f rt/s, epoll %.0f rt/s, ratio %.2f%n", x, y, x / y);
        return 0;
    }

    /** A stack in this JVM with no interfaces: its loopback, 127.0.0.1, is served cut through. */
    private static Sluice embeddedStack(Path dir) throws IOException {
        return Sluice.embedded("bench-netty-echo", NettyLoops.privateStack("bench netty-echo", dir, ""),
                VclConfig.defaults());
    }

    /** An echo server and the loop its client runs on, over one transport. */
    private static final class Pair implements AutoCloseable {
        final String name;
        private final NettyLoops loops;
        private final EventLoopGroup serverLoop;
        private final EventLoopGroup clientLoop;
        private final Channel server;
        private final InetSocketAddress address;
        private final long[] loopThreads;

        Pair(String name, NettyLoops loops) throws Exception {
            this.name = name;
            this.loops = loops;
            try {
                serverLoop = loops.group(1);
                clientLoop = loops.group(1);
                server = EchoServer.start(loops, serverLoop, serverLoop, new InetSocketAddress("127.0.0.1", 0));
                address = (InetSocketAddress) server.localAddress();
                loopThreads = new long[] {threadId(serverLoop), threadId(clientLoop)};
            } catch (Exception | Error e) {
                loops.close();
                throw e;
            }
        }

        EchoClient.RoundTrips roundTrips(Duration time) throws Exception {
            // The count only bounds the run: at 2 million round trips a second, the time ends it first.
            int count = (int) Math.min(Integer.MAX_VALUE, Math.max(1_000, time.toMillis() * 2_000));
            return EchoClient.roundTrips(loops, clientLoop, address, RR_BYTES, count, time, allocationProbe());
        }

        double stream(Duration time) throws Exception {
            return EchoClient.stream(loops, clientLoop, address, STREAM_BYTES, STREAM_WINDOW, time);
        }

        /**
         * @return a probe of the bytes the server's and the client's loop threads have allocated so far (the JVM's
         *     per-thread counters, read at the cost of the 32-byte array they come in), or null where the JVM does
         *     not count
         */
        private LongSupplier allocationProbe() {
            if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads)
                    || !threads.isThreadAllocatedMemoryEnabled()) {
                return null;
            }
            return () -> {
                long sum = 0;
                for (long bytes : threads.getThreadAllocatedBytes(loopThreads)) {
                    sum += bytes;
                }
                return sum;
            };
        }

        private static long threadId(EventLoopGroup group) throws Exception {
            EventExecutor loop = group.next();
            return loop.submit(() -> Thread.currentThread().threadId()).get(5, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            loops.close();
        }
    }
}
