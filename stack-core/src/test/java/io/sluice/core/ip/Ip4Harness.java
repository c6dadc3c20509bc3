package io.sluice.core.ip;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.buffer.BufferPoolConfig;
import io.sluice.core.graph.Frame;
import io.sluice.core.graph.Graph;
import io.sluice.core.graph.GraphBuilder;
import io.sluice.core.graph.InputNode;
import io.sluice.core.graph.Node;
import io.sluice.core.graph.NodeContext;
import io.sluice.core.graph.NodeError;
import io.sluice.core.iface.InterfaceTable;
import io.sluice.core.phy.LoopbackDevice;
import io.sluice.core.timer.TimerWheel;
import io.sluice.core.wire.Ip4Prefix;
import io.sluice.core.wire.TestFrames;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One worker's IPv4 layer in a graph, fed by a test input node, with stub nodes named icmp4-input, udp4-input,
 * tcp4-input and interface-output that capture what reaches them (bytes and interface) or, when {@link #recording}
 * is off, only count it; everything captured is freed. Interface 0 is {@code if0} with {@link TestFrames#MAC_B} and
 * 198.18.0.2/24, so the test frames (198.18.0.1 → 198.18.0.2) are for it.
 */
final class Ip4Harness implements AutoCloseable {

    static final int IF0 = 0;
    static final long NOW = 1_000_000_000L;

    /** A captured buffer: its bytes from the current data and the interface the node saw. */
    record Captured(byte[] bytes, int rxInterface, int txInterface) { }

    final BufferPool pool = BufferPool.create(BufferPoolConfig.defaults().withBufferCount(4096));
    final BufferCache cache = pool.newCache();
    final InterfaceTable interfaces = new InterfaceTable();
    final Ip4Fib fib = new Ip4Fib(interfaces);
    final TimerWheel wheel = TimerWheel.withDefaults(1024, 0);
    final Ip4Layer layer;
    final Graph graph;
    final Feeder feeder;
    final Stub icmp;
    final Stub udp;
    final Stub output;
    boolean recording = true;

    Ip4Harness() {
        this(ArpSettings.defaults(256), true);
    }

    Ip4Harness(ArpSettings arp, boolean announces) {
        interfaces.add(new LoopbackDevice("if0", TestFrames.MAC_B, 1500, 64));
        fib.addInterfaceAddress(IF0, Ip4Prefix.parse("198.18.0.2/24"));
        layer = new Ip4Layer(interfaces, fib, wheel, cache, arp, announces);
        Feeder f = new Feeder();
        Stub[] stubs = new Stub[4];
        GraphBuilder builder = new GraphBuilder()
                .add(Feeder.NAME, () -> f)
                .add(Ip4Layer.ICMP4_INPUT, () -> stubs[0] = new Stub(Ip4Layer.ICMP4_INPUT))
                .add(Ip4Layer.UDP4_INPUT, () -> stubs[1] = new Stub(Ip4Layer.UDP4_INPUT))
                .add(Ip4Layer.INTERFACE_OUTPUT, () -> stubs[2] = new Stub(Ip4Layer.INTERFACE_OUTPUT))
                .add(Ip4Layer.TCP4_INPUT, () -> stubs[3] = new Stub(Ip4Layer.TCP4_INPUT));
        graph = layer.addTo(builder).build(pool, cache);
        feeder = f;
        icmp = stubs[0];
        udp = stubs[1];
        output = stubs[2];
    }

    /** Queues {@code frame} as received on {@code ifIndex}; returns the buffer. */
    int receive(byte[] frame, int ifIndex) {
        int b = copy(frame);
        pool.setRxInterface(b, ifIndex);
        feeder.add(Feeder.TO_ETHERNET, b);
        return b;
    }

    /** Queues IPv4 datagram {@code packet} (no Ethernet header) to ip4-output; returns the buffer. */
    int send(byte[] packet) {
        int b = copy(packet);
        feeder.add(Feeder.TO_IP4_OUTPUT, b);
        return b;
    }

    private int copy(byte[] bytes) {
        int b = cache.copyIn(bytes, 0, bytes.length);
        if (b == BufferPool.NO_BUFFER) {
            throw new IllegalStateException("test pool exhausted");
        }
        return b;
    }

    /** Runs passes of the graph at {@code now} until nothing is left to do (at most 100). */
    void run(long now) {
        for (int i = 0; i < 100; i++) {
            if (graph.runOnce(now) == 0 && !graph.hasPendingFrames()) {
                return;
            }
        }
        throw new AssertionError("graph still busy after 100 passes");
    }

    void run() {
        run(NOW);
    }

    /** Advances the worker's timer wheel to {@code now} (ARP expirations), then runs the graph. */
    void advance(long now) {
        wheel.advance(now, layer.arpTable());
        run(now);
    }

    /** Non-zero reason counts as {@code node/symbol}. */
    Map<String, Long> errors() {
        Map<String, Long> out = new HashMap<>();
        for (Graph.ErrorCount e : graph.errors()) {
            out.put(e.node() + "/" + e.symbol(), e.count());
        }
        return out;
    }

    /** The count of {@code symbol} on {@code node}, 0 if none. */
    long count(String node, String symbol) {
        return errors().getOrDefault(node + "/" + symbol, 0L);
    }

    @Override
    public void close() {
        cache.close();
        pool.close();
    }

    /** Hands queued buffers to ethernet-input or ip4-output, in order. */
    static final class Feeder extends InputNode {
        static final String NAME = "test-feeder";
        static final int TO_ETHERNET = 0;
        static final int TO_IP4_OUTPUT = 1;
        private final int[] next = new int[1 << 16];
        private final int[] buffers = new int[1 << 16];
        private int head;
        private int tail;

        Feeder() {
            super(NAME, List.of(EthernetInputNode.NAME, Ip4OutputNode.NAME), List.of());
        }

        void add(int to, int buffer) {
            next[tail & 0xffff] = to;
            buffers[tail & 0xffff] = buffer;
            tail++;
        }

        @Override
        public int poll(NodeContext ctx, int budget) {
            int n = 0;
            while (head != tail && n < budget) {
                ctx.enqueue(next[head & 0xffff], buffers[head & 0xffff]);
                head++;
                n++;
            }
            return n;
        }
    }

    /** Captures (when recording) or counts, then frees, every buffer it receives; counts them as "captured". */
    final class Stub extends Node {
        final List<Captured> captured = new ArrayList<>();
        long received;

        Stub(String name) {
            super(name, List.of(), List.of(new NodeError("captured", "buffer captured by the test")));
        }

        @Override
        public void process(NodeContext ctx, Frame frame) {
            int[] buffers = frame.buffers();
            for (int i = 0; i < frame.count(); i++) {
                int b = buffers[i];
                received++;
                if (recording) {
                    byte[] bytes = new byte[pool.chainLength(b)];
                    pool.copyOut(b, bytes, 0);
                    captured.add(new Captured(bytes, pool.rxInterface(b), pool.txInterface(b)));
                }
                ctx.drop(b, 0);
            }
        }

        /** The bytes of the only captured buffer. */
        byte[] only() {
            if (captured.size() != 1) {
                throw new AssertionError(name() + " captured " + captured.size() + " buffers, expected 1");
            }
            return captured.getFirst().bytes();
        }
    }
}
