package io.sluice.examples.bench;

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
import io.sluice.core.ip.ArpSettings;
import io.sluice.core.ip.EthernetInputNode;
import io.sluice.core.ip.Ip4Fib;
import io.sluice.core.ip.Ip4Layer;
import io.sluice.core.l4.L4Nodes;
import io.sluice.core.l4.UdpPortTable;
import io.sluice.core.l4.UdpSockets;
import io.sluice.core.phy.LoopbackDevice;
import io.sluice.core.stack.ProtocolGraph;
import io.sluice.core.tcp.layer.TcpLayer;
import io.sluice.core.timer.TimerWheel;
import io.sluice.core.util.AllocationMeter;
import io.sluice.core.wire.Ethernet;
import io.sluice.core.wire.Icmp4;
import io.sluice.core.wire.Ip4Address;
import io.sluice.core.wire.Ip4Prefix;
import io.sluice.core.wire.Ipv4;
import io.sluice.core.wire.MacAddress;
import io.sluice.core.wire.Udp;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench engine}: packets per second through one worker's protocol graph — ethernet-input → ip4-input →
 * icmp4-input or udp4-input (the echo service) → ip4-output (route, neighbour, Ethernet header) — on the calling
 * thread. A source node stands in for a device's receive: it copies a prepared request frame into a fresh buffer
 * per packet (as a device copies a frame in); a sink node stands in for the device's transmit: it checks that each
 * packet is the expected reply and frees it. So the figure is the graph's cost per packet, devices excluded (the
 * TAP's system calls are another benchmark).
 *
 * <p>The baseline is the same graph and the same work done packet by packet: the source hands over one packet per
 * pass instead of a vector of up to {@value Frame#CAPACITY}, so every node runs once per packet. The ratio is what
 * vectors buy. Contenders run in interleaved rounds; the summary quotes medians.
 */
public final class EngineBenchmark implements Benchmark {

    static final long OUR_MAC = MacAddress.parse("02:5e:00:00:00:02").bits();
    static final long PEER_MAC = MacAddress.parse("02:5e:00:00:00:01").bits();
    static final int OUR_IP = Ip4Address.parse("198.18.0.2").bits();
    static final int PEER_IP = Ip4Address.parse("198.18.0.1").bits();
    static final int ECHO_PORT = 7;
    /** Bytes of ICMP echo data and of UDP payload: a 98-byte ping frame, as {@code ping} sends by default. */
    static final int PAYLOAD = 56;

    /** What the source sends. */
    public enum Traffic { ICMP, UDP }

    @Override
    public String name() {
        return "engine";
    }

    @Override
    public String summary() {
        return "Mpps of ICMP and UDP echo through one worker's graph, vectors vs the same graph packet by packet";
    }

    @Override
    public int run(BenchOptions options, PrintStream out) throws Exception {
        out.println("bench engine: one worker on this thread; ethernet-input -> ip4-input -> icmp4-input|udp4-input"
                + " -> ip4-output -> sink; " + (14 + 20 + 8 + PAYLOAD) + "-byte request frames; " + options);
        Rounds.meterOverhead();
        try (Pipeline icmpVectors = new Pipeline(Traffic.ICMP, Frame.CAPACITY);
                Pipeline icmpSingles = new Pipeline(Traffic.ICMP, 1);
                Pipeline udpVectors = new Pipeline(Traffic.UDP, Frame.CAPACITY);
                Pipeline udpSingles = new Pipeline(Traffic.UDP, 1)) {
            out.println("ICMP echo:");
            double[] icmp = Rounds.run(List.of(icmpVectors, icmpSingles), options, out, "Mpps", 1e6);
            out.println("UDP echo (port " + ECHO_PORT + "):");
            double[] udp = Rounds.run(List.of(udpVectors, udpSingles), options, out, "Mpps", 1e6);
            boolean ok = true;
            for (Pipeline p : List.of(icmpVectors, icmpSingles, udpVectors, udpSingles)) {
                ok &= p.report(out);
            }
            out.printf(Locale.ROOT, "bench engine: udp vectors %.2f Mpps (%.1f ns/packet), packet-by-packet %.2f Mpps,"
                    + " ratio %.2f%n", udp[0] / 1e6, 1e9 / udp[0], udp[1] / 1e6, udp[0] / udp[1]);
            out.printf(Locale.ROOT, "targets: icmp echo %.2f Mpps per worker (target >= 5)%n", icmp[0] / 1e6);
            out.printf(Locale.ROOT, "bench engine: sluice %.2f Mpps (%.1f ns/packet), packet-by-packet %.2f Mpps,"
                    + " ratio %.2f%n", icmp[0] / 1e6, 1e9 / icmp[0], icmp[1] / 1e6, icmp[0] / icmp[1]);
            return ok ? 0 : 1;
        }
    }

    /**
     * One worker's graph with its own pool, fed {@code vector} packets per pass. Also a contender: a round runs
     * passes for the given time and returns the packets per second that reached the sink.
     */
    public static final class Pipeline implements Contender, AutoCloseable {

        private final Traffic traffic;
        private final int vector;
        private final BufferPool pool = BufferPool.create(BufferPoolConfig.defaults().withBufferCount(8192));
        private final BufferCache cache = pool.newCache();
        private final Arena arena = Arena.ofConfined();
        private final Graph graph;
        private final Source source;
        private final Sink sink;
        private final int buffersInUseAtStart;
        private int rounds;
        private long bytesAllocated;
        private long packetsMeasured;

        /** A graph fed {@code vector} requests of {@code traffic} per pass. */
        public Pipeline(Traffic traffic, int vector) {
            this.traffic = traffic;
            this.vector = vector;
            InterfaceTable interfaces = new InterfaceTable();
            interfaces.add(new LoopbackDevice("bench0", OUR_MAC, 1500, 64));
            Ip4Fib fib = new Ip4Fib(interfaces);
            fib.addInterfaceAddress(0, Ip4Prefix.parse("198.18.0.2/24"));
            TimerWheel wheel = TimerWheel.withDefaults(1024, System.nanoTime());
            UdpSockets udp = new UdpSockets(new UdpPortTable(), 1, UdpSockets.maxPayloadFor(pool), worker -> { });
            udp.startEcho(0, ECHO_PORT);
            TcpLayer tcp = new TcpLayer(TcpLayer.Config.defaults(), fib, interfaces, 1, pool.dataSize(), worker -> { });
            ProtocolGraph protocols = new ProtocolGraph(interfaces, fib,
                    new L4Nodes(udp, fib::isLocal, fib::sourceAddressFor), tcp, ArpSettings.defaults(256));
            TimerWheel tcpWheel = TimerWheel.withDefaults(16, System.nanoTime());
            MemorySegment frame = requestFrame(arena, traffic);
            Source src = new Source(frame, vector);
            Sink snk = new Sink(traffic);
            GraphBuilder builder = new GraphBuilder().add(Source.NAME, () -> src).add(Ip4Layer.INTERFACE_OUTPUT,
                    () -> snk);
            // No gratuitous ARP: the sink expects replies only.
            Ip4Layer ip4 = protocols.addTo(builder, wheel, tcpWheel, cache, 0, 1, false);
            ip4.arpTable().addStatic(0, PEER_IP, PEER_MAC);
            this.graph = builder.build(pool, cache);
            this.source = src;
            this.sink = snk;
            this.buffersInUseAtStart = pool.buffersInUse();
        }

        @Override
        public String name() {
            return (traffic == Traffic.ICMP ? "icmp-" : "udp-") + (vector == 1 ? "packet-by-packet" : "vectors");
        }

        @Override
        public double measure(double seconds) {
            long before = sink.packets;
            long allocatedBefore = AllocationMeter.allocatedBytes();
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            long now = start;
            while (now < end) {
                for (int i = 0; i < 64; i++) {
                    graph.runOnce(now);
                }
                now = System.nanoTime();
            }
            drain(now);
            long packets = sink.packets - before;
            if (rounds++ > 0) {
                // The first call is the warm-up, which includes the JIT's compilation; every later one counts.
                bytesAllocated += AllocationMeter.allocatedBytes() - allocatedBefore;
                packetsMeasured += packets;
            }
            return packets * 1e9 / (now - start);
        }

        /** One pass of the worker loop: {@code vector} new requests, each carried to the sink; returns the work. */
        public int runOnce(long now) {
            return graph.runOnce(now);
        }

        /** Runs passes without new input until every packet in flight has reached the sink. */
        private void drain(long now) {
            source.paused = true;
            for (int i = 0; i < 1000 && graph.hasPendingFrames(); i++) {
                graph.runOnce(now);
            }
            source.paused = false;
        }

        /** Prints this pipeline's checks; false when a reply was wrong, a packet dropped or a buffer lost. */
        boolean report(PrintStream out) {
            long drops = graph.errors().stream().filter(e -> !e.symbol().equals("echo-replied"))
                    .mapToLong(Graph.ErrorCount::count).sum();
            int leaked = pool.buffersInUse() - buffersInUseAtStart;
            double perPacket = packetsMeasured > 0 ? (double) bytesAllocated / packetsMeasured : 0;
            out.printf(Locale.ROOT, "  %-22s %d packets, %d wrong replies, %d drops, %d buffers unreturned,"
                    + " %.4f B allocated per packet%n", name(), sink.packets, sink.wrong, drops, leaked, perPacket);
            if (drops > 0) {
                graph.errors().forEach(e -> out.println("    " + e.node() + " " + e.symbol() + " " + e.count()));
            }
            return sink.wrong == 0 && drops == 0 && leaked == 0;
        }

        /** False when a reply was wrong, a packet dropped or a buffer lost (silently: for JMH's tear-down). */
        public boolean isClean() {
            return report(new PrintStream(java.io.OutputStream.nullOutputStream()));
        }

        @Override
        public void close() {
            cache.close();
            pool.close();
            arena.close();
        }
    }

    /** An echo request from the peer to us, as a device would have received it. */
    static MemorySegment requestFrame(Arena arena, Traffic traffic) {
        int l4Length = 8 + PAYLOAD;
        MemorySegment f = arena.allocate(Ethernet.HEADER_LENGTH + Ipv4.MIN_HEADER_LENGTH + l4Length);
        long ip = Ethernet.emit(f, 0, OUR_MAC, PEER_MAC, Ethernet.TYPE_IPV4);
        long l4 = ip + Ipv4.MIN_HEADER_LENGTH;
        for (int i = 0; i < PAYLOAD; i++) {
            f.set(ValueLayout.JAVA_BYTE, l4 + 8 + i, (byte) i);
        }
        if (traffic == Traffic.ICMP) {
            Ipv4.emit(f, ip, Ipv4.MIN_HEADER_LENGTH + l4Length, 1, true, 64, Ipv4.PROTOCOL_ICMP, PEER_IP, OUR_IP);
            Icmp4.emitEcho(f, l4, Icmp4.TYPE_ECHO_REQUEST, 0x5c, 1, PAYLOAD);
        } else {
            Ipv4.emit(f, ip, Ipv4.MIN_HEADER_LENGTH + l4Length, 1, true, 64, Ipv4.PROTOCOL_UDP, PEER_IP, OUR_IP);
            Udp.emit(f, l4, 40000, ECHO_PORT, PAYLOAD, PEER_IP, OUR_IP);
        }
        return f;
    }

    /** Copies the request frame into a new buffer per packet, {@code vector} packets per pass. */
    static final class Source extends InputNode {
        static final String NAME = "bench-source";
        private final MemorySegment frame;
        private final int vector;
        boolean paused;

        Source(MemorySegment frame, int vector) {
            super(NAME, List.of(EthernetInputNode.NAME), List.of(new NodeError("no-buffer", "the pool ran dry")));
            this.frame = frame;
            this.vector = vector;
        }

        @Override
        public int poll(NodeContext ctx, int budget) {
            if (paused) {
                return 0;
            }
            BufferCache cache = ctx.cache();
            BufferPool pool = ctx.pool();
            int n = Math.min(budget, vector);
            for (int i = 0; i < n; i++) {
                int b = cache.copyIn(frame, 0, (int) frame.byteSize());
                if (b == BufferPool.NO_BUFFER) {
                    ctx.count(0);
                    return i;
                }
                pool.setRxInterface(b, 0);
                ctx.enqueue(0, b);
            }
            return n;
        }
    }

    /** Stands in for the device's transmit: checks each frame is the expected reply, counts it, frees it. */
    static final class Sink extends Node {
        private final Traffic traffic;
        long packets;
        long wrong;

        Sink(Traffic traffic) {
            super(Ip4Layer.INTERFACE_OUTPUT, List.of(), List.of());
            this.traffic = traffic;
        }

        @Override
        public void process(NodeContext ctx, Frame frame) {
            BufferPool pool = ctx.pool();
            MemorySegment mem = pool.memory();
            BufferCache cache = ctx.cache();
            for (int i = 0; i < frame.count(); i++) {
                int b = frame.buffer(i);
                long eth = pool.dataOffset(b);
                long ip = eth + Ethernet.HEADER_LENGTH;
                long l4 = ip + Ipv4.MIN_HEADER_LENGTH;
                boolean ok = Ethernet.destination(mem, eth) == PEER_MAC && Ipv4.destination(mem, ip) == PEER_IP
                        && (traffic == Traffic.ICMP ? Icmp4.type(mem, l4) == Icmp4.TYPE_ECHO_REPLY
                                : Udp.destinationPort(mem, l4) == 40000);
                if (!ok) {
                    wrong++;
                }
                packets++;
                cache.freeChain(b);
            }
        }
    }
}
