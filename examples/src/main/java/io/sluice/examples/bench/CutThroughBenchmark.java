package io.sluice.examples.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench cut-through}: one stream between two application JVMs for a few seconds, 128 KiB writes.
 * <ul>
 *   <li>{@code sluice}: both attached to a stack this process runs (one worker, a loopback interface for the
 *       address the sender connects to); the receiver listens with local scope, so the session is cut through a
 *       shared-memory channel of 4 MiB FIFOs and no stack thread is on the data path.</li>
 *   <li>{@code kernel-loopback}: the same two-JVM program over TCP on 127.0.0.1 (NIO, blocking).</li>
 * </ul>
 * Each round runs both; the figures are the receiver's bytes over the time from its first byte to the end of stream.
 * The application side used is the session layer's application API ({@code io.sluice.session.app}), which the comms
 * library wraps.
 */
public final class CutThroughBenchmark implements Benchmark {

    private static final int PORT = 7400;

    @Override
    public String name() {
        return "cut-through";
    }

    @Override
    public String summary() {
        return "one stream between two application JVMs: cut through shared memory vs kernel loopback TCP";
    }

    @Override
    public int run(BenchOptions options, PrintStream out) throws Exception {
        double seconds = Math.max(0.2, options.roundSeconds());
        out.printf(Locale.ROOT, "bench cut-through: %d rounds of %.1f s per contender, %d KiB writes, %d MiB FIFOs%n",
                options.rounds(), seconds, StreamPeer.WRITE_BYTES >> 10, StreamPeer.FIFO_BYTES >> 20);
        double[] sluice = new double[options.rounds()];
        double[] kernel = new double[options.rounds()];
        try (PeerPair.Stack stack = PeerPair.startStack()) {
            String socket = stack.socket().toString();
            for (int round = 0; round < options.rounds(); round++) {
                String port = Integer.toString(PORT + round);
                String kernelPort = Integer.toString(PORT + 100 + round);
                Result s = stream(List.of("sluice-recv", socket, port),
                        List.of("sluice-send", socket, PeerPair.STACK_ADDRESS, port, Double.toString(seconds)));
                Result k = stream(List.of("kernel-recv", kernelPort),
                        List.of("kernel-send", kernelPort, Double.toString(seconds)));
                sluice[round] = s.gbits();
                kernel[round] = k.gbits();
                out.printf(Locale.ROOT, "round %d: sluice %.2f Gbit/s (%d B allocated per read), kernel-loopback"
                        + " %.2f Gbit/s (%d B per read)%n", round + 1, s.gbits(), s.allocatedPerRead(), k.gbits(),
                        k.allocatedPerRead());
            }
        }
        double x = Rounds.median(sluice);
        double y = Rounds.median(kernel);
        out.printf(Locale.ROOT, "bench cut-through: sluice %.2f Gbit/s, kernel-loopback %.2f Gbit/s, ratio %.2f%n",
                x, y, x / y);
        return 0;
    }

    /** What a receiver reported. */
    private record Result(long bytes, long nanos, long allocatedPerRead) {
        double gbits() {
            return bytes * 8.0 / nanos;
        }
    }

    private static Result stream(List<String> receiverArgs, List<String> senderArgs) throws Exception {
        String[] words = PeerPair.run(receiverArgs, senderArgs, true);
        return new Result(Long.parseLong(words[1]), Long.parseLong(words[2]), Long.parseLong(words[3]));
    }
}
