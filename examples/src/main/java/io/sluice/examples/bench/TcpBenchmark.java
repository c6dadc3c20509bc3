package io.sluice.examples.bench;

import io.sluice.core.config.StackConfig;
import io.sluice.core.engine.EngineConfig;
import io.sluice.core.phy.HostLink;
import io.sluice.core.phy.InMemoryWire;
import io.sluice.core.stack.Stack;
import io.sluice.core.tcp.layer.TcpEvents;
import io.sluice.core.tcp.layer.TcpFlow;
import io.sluice.core.tcp.layer.TcpListener;
import io.sluice.core.wire.Ip4Address;
import io.sluice.core.wire.Ip4Prefix;
import io.sluice.session.fifo.ByteFifo;
import io.sluice.session.fifo.FifoBufferFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench tcp}: one TCP connection's throughput.
 * <ul>
 *   <li>{@code sluice-memwire}: two Sluice stacks joined by an in-memory wire (no faults), each in single-thread
 *       mode, both driven by this one thread with the applications: the client fills its send FIFO, the server
 *       drains its receive FIFO (the session layer's {@code ByteFifo}s, in memfd mappings), every byte through
 *       tcp4-output, ip4, the wire, ip4-input and tcp4-input.</li>
 *   <li>{@code kernel-veth}: the Linux kernel between two namespaces over a veth pair, measured by {@code iperf3}
 *       (client and server are separate processes, so the kernel uses both CPUs).</li>
 *   <li>{@code sluice-tap} (reported, not in the ratio): a kernel client ({@code python3} writing 1 MiB at a time
 *       from a namespace) to a Sluice server with one worker thread over the TAP.</li>
 * </ul>
 * Needs root, /dev/net/tun, iproute2 and iperf3 for the kernel contenders; without them it says why and measures
 * Sluice alone.
 */
public final class TcpBenchmark implements Benchmark {

    static final int FIFO_BYTES = 4 << 20;
    private static final Pattern RECEIVED = Pattern.compile(
            "\"sum_received\"\\s*:\\s*\\{[^}]*\"bits_per_second\"\\s*:\\s*([0-9.eE+]+)");

    @Override
    public String name() {
        return "tcp";
    }

    @Override
    public String summary() {
        return "one TCP connection: Sluice to Sluice over an in-memory wire vs the kernel over a veth pair (iperf3)";
    }

    @Override
    public int run(BenchOptions options, PrintStream out) throws Exception {
        String missing = HostLink.tapUnavailableReason();
        if (missing == null && !HostLink.onPath("iperf3")) {
            missing = "needs iperf3 (Debian package iperf3)";
        }
        out.println("bench tcp: one connection, " + options.rounds() + " rounds of " + options.roundSeconds()
                + " s; sluice-memwire: two stacks, one thread, FIFOs of " + (FIFO_BYTES >> 20)
                + " MiB in memfd mappings;"
                + " kernel-veth: iperf3 between two namespaces");
        Arena arena = Arena.ofAuto();
        try (MemWire memWire = new MemWire(arena)) {
            List<Contender> contenders = new ArrayList<>();
            contenders.add(memWire);
            KernelVeth veth = null;
            TapServer tap = null;
            try {
                if (missing == null) {
                    veth = new KernelVeth();
                    contenders.add(veth);
                    if (HostLink.onPath("python3")) {
                        tap = new TapServer(arena);
                        contenders.add(tap);
                    }
                } else {
                    out.println("bench tcp: kernel contenders skipped: " + missing);
                }
                double[] medians = Rounds.run(contenders, options, out, "Gbit/s", 1e9);
                double sluice = medians[0];
                if (veth == null) {
                    out.printf(Locale.ROOT, "bench tcp: sluice %.2f Gbit/s, kernel-veth n/a Gbit/s, ratio n/a%n",
                            sluice / 1e9);
                    return 0;
                }
                double kernel = medians[1];
                if (tap != null) {
                    out.printf(Locale.ROOT, "bench tcp: sluice-tap (kernel client to Sluice server) %.2f Gbit/s,"
                            + " ratio to kernel-veth %.2f%n", medians[2] / 1e9, medians[2] / kernel);
                }
                out.printf(Locale.ROOT, "targets: sluice/kernel-veth %.2f (target >= 0.80)%n", sluice / kernel);
                out.printf(Locale.ROOT, "bench tcp: sluice %.2f Gbit/s, kernel-veth %.2f Gbit/s, ratio %.2f%n",
                        sluice / 1e9, kernel / 1e9, sluice / kernel);
                return 0;
            } finally {
                if (tap != null) {
                    tap.close();
                }
                if (veth != null) {
                    veth.close();
                }
            }
        }
    }

    /** Two single-thread stacks over an in-memory wire, one connection, driven by the measuring thread. */
    private static final class MemWire implements Contender, AutoCloseable {
        private final InMemoryWire wire;
        private final Stack client;
        private final Stack server;
        private final TcpFlow sender;
        private final TcpFlow receiver;
        private final MemorySegment payload;
        private final MemorySegment sink;
        /** The FIFOs live in memfd mappings, as they will in application segments. */
        private final FifoBufferFactory buffers = FifoBufferFactory.inMemfd(FIFO_BYTES, FIFO_BYTES);

        MemWire(Arena arena) throws IOException {
            EngineConfig single = EngineConfig.singleThreadMode().withPolledSleepNanos(0);
            StackConfig config = StackConfig.parse("bench tcp", "buffers { buffers-per-numa 16384 }");
            wire = InMemoryWire.builder().ends("bench-a", 0x02_00_00_00_0b_01L, "bench-b", 0x02_00_00_00_0b_02L)
                    .capacity(4096).checksumOffload(true).build();
            client = Stack.create(config, single, System::nanoTime);
            server = Stack.create(config, single, System::nanoTime);
            client.addInterface(wire.a(), Ip4Prefix.parse("198.18.11.1/24"));
            server.addInterface(wire.b(), Ip4Prefix.parse("198.18.11.2/24"));
            client.start();
            server.start();
            TcpListener listener = server.tcp().listen(0, 5201, 4, buffers, new TcpEvents() { });
            sender = client.tcp().connect(0, Ip4Address.parse("198.18.11.2").bits(), 5201, buffers,
                    new TcpEvents() { });
            TcpFlow accepted = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (accepted == null && System.nanoTime() < deadline) {
                client.engine().runOnce();
                server.engine().runOnce();
                accepted = listener.accept();
            }
            if (accepted == null) {
                throw new IOException("bench tcp: the in-memory connection did not come up: " + sender);
            }
            receiver = accepted;
            payload = arena.allocate(64 * 1024);
            sink = arena.allocate(256 * 1024);
        }

        @Override
        public String name() {
            return "sluice-memwire";
        }

        @Override
        public double measure(double seconds) {
            ByteFifo send = (ByteFifo) sender.buffers().send();
            ByteFifo receive = (ByteFifo) receiver.buffers().receive();
            long received = 0;
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            long now = start;
            while (now < end) {
                boolean wrote = false;
                while (send.freeSpace() > 0) {
                    int n = send.enqueue(payload, 0, (int) Math.min(payload.byteSize(), send.freeSpace()));
                    wrote |= n > 0;
                    if (n == 0) {
                        break;
                    }
                }
                if (wrote) {
                    sender.flush();
                }
                int got = receive.dequeue(sink, 0, (int) sink.byteSize());
                if (got > 0) {
                    received += got;
                    receiver.flush();
                }
                client.engine().runOnce();
                server.engine().runOnce();
                now = System.nanoTime();
            }
            double rate = received * 8 * 1e9 / (now - start);
            // Not measured: let everything in flight be delivered and acknowledged, so that while the other
            // contenders run (and this thread does not drive the stacks) no data waits for a retransmission timer.
            long drainEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (send.readableBytes() > 0 && System.nanoTime() < drainEnd) {
                if (receive.dequeue(sink, 0, (int) sink.byteSize()) > 0) {
                    receiver.flush();
                }
                client.engine().runOnce();
                server.engine().runOnce();
            }
            return rate;
        }

        @Override
        public void close() {
            try {
                client.close();
            } finally {
                try {
                    server.close();
                } finally {
                    try {
                        wire.close();
                    } finally {
                        buffers.close();
                    }
                }
            }
        }
    }

    /** iperf3 between two namespaces over a veth pair. */
    private static final class KernelVeth implements Contender, AutoCloseable {
        private final String suffix = Long.toString(ProcessHandle.current().pid() % 100_000);
        private final String nsA = "sltca" + suffix;
        private final String nsB = "sltcb" + suffix;
        private final List<String> namespaces = new ArrayList<>();
        private final Process server;

        KernelVeth() throws IOException {
            try {
                for (String ns : List.of(nsA, nsB)) {
                    HostLink.createNamespace(ns);
                    namespaces.add(ns);
                }
                HostLink.run("ip", "link", "add", "sltva" + suffix, "netns", nsA, "type", "veth", "peer", "name",
                        "sltvb" + suffix, "netns", nsB);
                HostLink.run("ip", "-n", nsA, "addr", "add", "198.18.12.1/24", "dev", "sltva" + suffix);
                HostLink.run("ip", "-n", nsB, "addr", "add", "198.18.12.2/24", "dev", "sltvb" + suffix);
                HostLink.run("ip", "-n", nsA, "link", "set", "sltva" + suffix, "up");
                HostLink.run("ip", "-n", nsB, "link", "set", "sltvb" + suffix, "up");
                server = new ProcessBuilder(HostLink.inNamespace(nsB, "iperf3", "-s", "-p", "5202"))
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            } catch (IOException | RuntimeException e) {
                close();
                throw e;
            }
        }

        @Override
        public String name() {
            return "kernel-veth";
        }

        @Override
        public double measure(double seconds) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (true) {
                try {
                    String json = HostLink.run(HostLink.inNamespace(nsA, "iperf3", "-c", "198.18.12.2", "-p", "5202",
                            "-t", Long.toString(Math.max(1, Math.round(seconds))), "-J")); // whole seconds only
                    Matcher m = RECEIVED.matcher(json);
                    if (!m.find()) {
                        throw new IOException("iperf3 printed no sum_received: " + json);
                    }
                    return Double.parseDouble(m.group(1));
                } catch (IOException e) {
                    if (System.nanoTime() > deadline) {
                        throw e; // the server never came up
                    }
                    Thread.sleep(100);
                }
            }
        }

        @Override
        public void close() {
            if (server != null) {
                server.destroyForcibly();
            }
            for (String ns : namespaces) {
                try {
                    HostLink.deleteNamespace(ns);
                } catch (IOException e) {
                    System.err.println("bench tcp: " + e.getMessage());
                }
            }
        }
    }

    /** A Sluice server (one worker thread) behind a TAP; a kernel client in a namespace writes to it. */
    private static final class TapServer implements Contender, AutoCloseable {
        private static final String SENDER = """
                import socket, sys, time
                s = socket.create_connection((sys.argv[1], 5203), timeout=5)
                buf = bytes(1 << 20)
                end = time.time() + float(sys.argv[2])
                while time.time() < end:
                    s.sendall(buf)
                s.close()
                """;
        private final String namespace = "sltct" + ProcessHandle.current().pid() % 100_000;
        private final Stack stack;
        private final TcpListener listener;
        private final MemorySegment sink;

        TapServer(Arena arena) throws IOException {
            HostLink.createNamespace(namespace);
            try {
                stack = Stack.create(StackConfig.parse("bench tcp", """
                        cpu { workers 1 }
                        buffers { buffers-per-numa 16384 }
                        tap { host-if-name sltct%s host-ns %s host-ip4-addr 198.18.13.1/24 ip4-addr 198.18.13.2/24
                              rx-mode adaptive }
                        """.formatted(ProcessHandle.current().pid() % 100_000, namespace)));
                stack.start();
                listener = stack.tcp().listen(0, 5203, 4, new FifoBufferFactory(FIFO_BYTES, FIFO_BYTES),
                        new TcpEvents() { });
                sink = arena.allocate(256 * 1024);
            } catch (IOException | RuntimeException e) {
                HostLink.deleteNamespace(namespace);
                throw e;
            }
        }

        @Override
        public String name() {
            return "sluice-tap";
        }

        @Override
        public double measure(double seconds) throws Exception {
            Process client = new ProcessBuilder(HostLink.inNamespace(namespace, "python3", "-c", SENDER,
                    "198.18.13.2", Double.toString(seconds))).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                TcpFlow flow;
                while ((flow = listener.accept()) == null) {
                    if (System.nanoTime() > deadline || !client.isAlive() && client.exitValue() != 0) {
                        throw new IOException("bench tcp: the kernel client did not connect to the TAP server");
                    }
                    Thread.onSpinWait();
                }
                ByteFifo receive = (ByteFifo) flow.buffers().receive();
                long received = 0;
                long start = System.nanoTime();
                long limit = start + TimeUnit.SECONDS.toNanos((long) seconds + 10);
                while (!flow.isClosed() && System.nanoTime() < limit) {
                    int got = receive.dequeue(sink, 0, (int) sink.byteSize());
                    if (got > 0) {
                        received += got;
                        flow.flush();
                    } else if (flow.state() == io.sluice.core.tcp.conn.TcpState.CLOSE_WAIT) {
                        flow.close();
                    } else {
                        Thread.onSpinWait();
                    }
                }
                return received * 8 * 1e9 / (System.nanoTime() - start);
            } finally {
                client.waitFor(10, TimeUnit.SECONDS);
                client.destroyForcibly();
            }
        }

        @Override
        public void close() throws IOException {
            try {
                stack.close();
            } finally {
                HostLink.deleteNamespace(namespace);
            }
        }
    }
}
