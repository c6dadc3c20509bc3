package io.sluice.examples.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench rr}: 64-byte request/response round trips between two application JVMs for a few seconds.
 * <ul>
 *   <li>{@code sluice-poll}: cut through a stack this process runs (as {@code bench cut-through}), both applications
 *       busy-polling their worker queues (the latency-critical setting: a CPU each);</li>
 *   <li>{@code sluice-eventfd}: the same, both sleeping on their worker's eventfd after a short spin when there is
 *       nothing to read (the setting that shares CPUs);</li>
 *   <li>{@code kernel-loopback}: the same two-JVM program over TCP on 127.0.0.1 (blocking NIO, TCP_NODELAY).</li>
 * </ul>
 * The client reports round trips per second and the p50/p99 of each round trip.
 */
public final class RrBenchmark implements Benchmark {

    private static final int PORT = 7600;

    @Override
    public String name() {
        return "rr";
    }

    @Override
    public String summary() {
        return "64-byte round trips between two application JVMs: cut-through polling and eventfd vs kernel loopback";
    }

    @Override
    public int run(BenchOptions options, PrintStream out) throws Exception {
        double seconds = Math.max(0.2, options.roundSeconds());
        out.printf(Locale.ROOT, "bench rr: %d rounds of %.1f s per contender, %d-byte messages%n", options.rounds(),
                seconds, StreamPeer.RR_BYTES);
        double[] poll = new double[options.rounds()];
        double[] eventfd = new double[options.rounds()];
        double[] kernel = new double[options.rounds()];
        try (PeerPair.Stack stack = PeerPair.startStack()) {
            String socket = stack.socket().toString();
            String time = Double.toString(seconds);
            for (int round = 0; round < options.rounds(); round++) {
                String port = Integer.toString(PORT + 3 * round);
                String port2 = Integer.toString(PORT + 3 * round + 1);
                String kernelPort = Integer.toString(PORT + 3 * round + 2);
                Result p = rr(List.of("sluice-echo", socket, port, "poll"),
                        List.of("sluice-ping", socket, PeerPair.STACK_ADDRESS, port, time, "poll"));
                Result e = rr(List.of("sluice-echo", socket, port2, "eventfd"),
                        List.of("sluice-ping", socket, PeerPair.STACK_ADDRESS, port2, time, "eventfd"));
                Result k = rr(List.of("kernel-echo", kernelPort), List.of("kernel-ping", kernelPort, time));
                poll[round] = p.perSecond();
                eventfd[round] = e.perSecond();
                kernel[round] = k.perSecond();
                out.printf(Locale.ROOT, "round %d: sluice-poll %.0f rt/s (p50 %.1f us, p99 %.1f us), sluice-eventfd"
                        + " %.0f rt/s (p50 %.1f us, p99 %.1f us), kernel-loopback %.0f rt/s (p50 %.1f us, p99 %.1f"
                        + " us)%n", round + 1, p.perSecond(), p.p50() / 1e3, p.p99() / 1e3, e.perSecond(),
                        e.p50() / 1e3, e.p99() / 1e3, k.perSecond(), k.p50() / 1e3, k.p99() / 1e3);
            }
        }
        double x = Rounds.median(poll);
        double y = Rounds.median(eventfd);
        double z = Rounds.median(kernel);
        out.printf(Locale.ROOT, "bench rr: sluice-poll %.0f rt/s, sluice-eventfd %.0f rt/s, kernel-loopback %.0f rt/s,"
                + " ratio %.2f%n", x, y, z, x / z);
        return 0;
    }

    /** What a client reported: round trips, the time they took, and two percentiles in nanoseconds. */
    private record Result(long count, long nanos, long p50, long p99) {
        double perSecond() {
            return count * 1e9 / nanos;
        }
    }

    private static Result rr(List<String> serverArgs, List<String> clientArgs) throws Exception {
        String[] words = PeerPair.run(serverArgs, clientArgs, false);
        return new Result(Long.parseLong(words[1]), Long.parseLong(words[2]), Long.parseLong(words[3]),
                Long.parseLong(words[4]));
    }
}
