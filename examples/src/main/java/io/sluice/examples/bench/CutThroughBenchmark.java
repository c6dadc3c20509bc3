package io.sluice.examples.bench;

import io.sluice.core.config.StackConfig;
import io.sluice.core.phy.LoopbackDevice;
import io.sluice.core.stack.Stack;
import io.sluice.core.wire.Ip4Prefix;
import io.sluice.session.daemon.SessionHost;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

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

    private static final String STACK_ADDRESS = "198.18.250.1";
    private static final int PORT = 7400;
    private static final long CHILD_SECONDS = 120;

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
        Path dir = Files.createTempDirectory("sluice-bench-ct");
        Path socket = dir.resolve("app.sock");
        StackConfig config = StackConfig.parse("bench cut-through", """
                cpu { workers 1 }
                buffers { buffers-per-numa 4096 }
                session { use-app-socket-api }
                """);
        double seconds = Math.max(0.2, options.roundSeconds());
        out.printf(Locale.ROOT, "bench cut-through: %d rounds of %.1f s per contender, %d KiB writes, %d MiB FIFOs%n",
                options.rounds(), seconds, StreamPeer.WRITE_BYTES >> 10, StreamPeer.FIFO_BYTES >> 20);
        double[] sluice = new double[options.rounds()];
        double[] kernel = new double[options.rounds()];
        try (Stack stack = Stack.create(config)) {
            stack.addInterface(new LoopbackDevice("ct0", 0x02fe_0000_0250L, 1500, 256),
                    Ip4Prefix.parse(STACK_ADDRESS + "/24"));
            try (SessionHost host = SessionHost.prepare(stack, true)) {
                stack.start();
                host.serve(config, socket);
                for (int round = 0; round < options.rounds(); round++) {
                    Result s = stream(List.of("sluice-recv", socket.toString(), Integer.toString(PORT + round)),
                            List.of("sluice-send", socket.toString(), STACK_ADDRESS, Integer.toString(PORT + round),
                                    Double.toString(seconds)));
                    Result k = stream(List.of("kernel-recv", Integer.toString(PORT + 100 + round)),
                            List.of("kernel-send", Integer.toString(PORT + 100 + round), Double.toString(seconds)));
                    sluice[round] = s.gbits();
                    kernel[round] = k.gbits();
                    out.printf(Locale.ROOT, "round %d: sluice %.2f Gbit/s (%d B allocated per read), kernel-loopback"
                            + " %.2f Gbit/s (%d B per read)%n", round + 1, s.gbits(), s.allocatedPerRead(), k.gbits(),
                            k.allocatedPerRead());
                }
            }
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
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

    /** Runs a receiver and a sender JVM; returns the receiver's result. Both are killed on every way out. */
    private static Result stream(List<String> receiverArgs, List<String> senderArgs) throws Exception {
        Process receiver = child(receiverArgs);
        Process sender = null;
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(receiver.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = lines.readLine();
            if (!"ready".equals(line)) {
                throw new IOException("the receiver did not start: " + line + drain(lines));
            }
            sender = child(senderArgs);
            line = lines.readLine();
            if (line == null || !line.startsWith("result ")) {
                String received = line + drain(lines);
                sender.waitFor(10, TimeUnit.SECONDS);
                throw new IOException("the receiver ended without a result: " + received + "\nthe sender: "
                        + new String(sender.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
            String[] words = line.split(" ");
            if (!sender.waitFor(CHILD_SECONDS, TimeUnit.SECONDS) || sender.exitValue() != 0) {
                throw new IOException("the sender failed: " + new String(sender.getInputStream().readAllBytes(),
                        StandardCharsets.UTF_8));
            }
            return new Result(Long.parseLong(words[1]), Long.parseLong(words[2]), Long.parseLong(words[3]));
        } finally {
            receiver.destroyForcibly();
            if (sender != null) {
                sender.destroyForcibly();
            }
            receiver.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String drain(BufferedReader lines) throws IOException {
        StringBuilder rest = new StringBuilder();
        String line;
        while ((line = lines.readLine()) != null && rest.length() < 4000) {
            rest.append('\n').append(line);
        }
        return rest.toString();
    }

    private static Process child(List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(StreamPeer.class.getName());
        command.addAll(args);
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }
}
