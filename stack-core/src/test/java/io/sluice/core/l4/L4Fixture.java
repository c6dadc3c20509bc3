package io.sluice.core.l4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.buffer.BufferPoolConfig;
import io.sluice.core.graph.Frame;
import io.sluice.core.graph.Graph;
import io.sluice.core.graph.GraphBuilder;
import io.sluice.core.graph.InputNode;
import io.sluice.core.graph.Node;
import io.sluice.core.graph.NodeContext;
import io.sluice.core.wire.Icmp4;
import io.sluice.core.wire.Ipv4;
import io.sluice.core.wire.TestFrames;
import io.sluice.core.wire.Udp;
import io.sluice.core.wire.WireError;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The L4 nodes in a graph of their own: a {@link Feed} input node that hands prepared IPv4 packets to icmp4-input,
 * udp4-input or icmp4-error (as ip4-input would), and a stub "ip4-output" ({@link Capture}) that keeps what reaches
 * it. This host is {@link #US} (198.18.0.2, {@link TestFrames#IP_B}); the peer is {@link #PEER} (198.18.0.1).
 */
final class L4Fixture implements AutoCloseable {

    static final int US = TestFrames.IP_B;
    static final int PEER = TestFrames.IP_A;
    static final int TO_ICMP = 0;
    static final int TO_UDP = 1;
    static final int TO_ICMP_ERROR = 2;

    final BufferPool pool;
    final UdpPortTable table = new UdpPortTable();
    final UdpSockets sockets;
    final L4Nodes l4;
    final List<Worker> workers = new ArrayList<>();
    final ConcurrentLinkedQueue<Integer> woken = new ConcurrentLinkedQueue<>();
    /** Whether wake requests are recorded in {@link #woken} (off for allocation measurements: recording boxes). */
    volatile boolean wakesRecorded = true;
    /** What the routing table answers for any destination (0: no route). */
    volatile int routeSource = US;
    long now = 1_000_000_000L;

    L4Fixture() {
        this(1, Icmp4ErrorNode.DEFAULT_RATE_PER_SECOND, Icmp4ErrorNode.DEFAULT_BURST);
    }

    L4Fixture(int workerCount, int errorsPerSecond, int errorBurst) {
        pool = BufferPool.create(BufferPoolConfig.defaults().withBufferCount(8192));
        sockets = new UdpSockets(table, workerCount, UdpSockets.maxPayloadFor(pool), worker -> {
            if (wakesRecorded) {
                woken.add(worker);
            }
        });
        l4 = new L4Nodes(sockets, a -> a == US, d -> routeSource, errorsPerSecond, errorBurst);
        for (int w = 0; w < workerCount; w++) {
            workers.add(new Worker(w));
        }
    }

    /** Worker 0. */
    Worker first() {
        return workers.getFirst();
    }

    /** One worker's graph: its own cache, feed and capture. Used by one thread. */
    final class Worker {
        final BufferCache cache = pool.newCache();
        final Feed feed = new Feed();
        final Capture out = new Capture(cache);
        final Graph graph;

        Worker(int index) {
            GraphBuilder builder = new GraphBuilder().add("feed", () -> feed).add("ip4-output", () -> out);
            graph = l4.addTo(builder, index).build(pool, cache);
        }

        /** Copies {@code ipPacket} (from its IPv4 header) into a buffer and queues it for {@code target}. */
        int inject(byte[] ipPacket, int target) {
            int b = cache.copyIn(ipPacket, 0, ipPacket.length);
            assertTrue(b != BufferPool.NO_BUFFER, "pool exhausted");
            pool.setRxInterface(b, 1);
            feed.add(b, target);
            return b;
        }

        /** Queues an Ethernet frame of {@link TestFrames} from its IPv4 header. */
        void injectFrame(byte[] ethernetFrame, int target) {
            inject(Arrays.copyOfRange(ethernetFrame, 14, ethernetFrame.length), target);
        }

        /** Runs passes until the graph is idle (bounded). */
        void run() {
            for (int i = 0; i < 100; i++) {
                if (graph.runOnce(now) == 0) {
                    return;
                }
            }
            throw new AssertionError("graph still busy after 100 passes");
        }

        /** The count of {@code symbol} on {@code node} (0 if never counted). */
        long count(String node, String symbol) {
            return graph.errors().stream().filter(e -> e.node().equals(node) && e.symbol().equals(symbol))
                    .mapToLong(Graph.ErrorCount::count).sum();
        }

        /** Bytes of the one packet that reached ip4-output (freed); fails unless exactly one did. */
        byte[] onlyOutput() {
            assertEquals(1, out.count, "packets at ip4-output");
            return out.take(0);
        }
    }

    /** Hands queued buffers to icmp4-input, udp4-input or icmp4-error. */
    static final class Feed extends InputNode {
        private final int[] buffers = new int[4096];
        private final int[] targets = new int[4096];
        private int head;
        private int tail;

        Feed() {
            super("feed", List.of(Icmp4InputNode.NAME, Udp4InputNode.NAME, Icmp4ErrorNode.NAME), List.of());
        }

        void add(int buffer, int target) {
            buffers[tail] = buffer;
            targets[tail++] = target;
        }

        @Override
        public int poll(NodeContext ctx, int budget) {
            int n = 0;
            while (head < tail && n < budget) {
                ctx.enqueue(targets[head], buffers[head]);
                head++;
                n++;
            }
            if (head == tail) {
                head = 0;
                tail = 0;
            }
            return n;
        }
    }

    /** The stub "ip4-output": keeps the buffers it receives until a test takes or frees them. */
    final class Capture extends Node {
        final int[] buffers = new int[8192];
        private final BufferCache cache;
        int count;

        Capture(BufferCache cache) {
            super("ip4-output", List.of(), List.of());
            this.cache = cache;
        }

        @Override
        public void process(NodeContext ctx, Frame frame) {
            for (int i = 0; i < frame.count(); i++) {
                buffers[count++] = frame.buffers()[i];
            }
        }

        /** The bytes of captured packet {@code i}, checked as a valid IPv4 packet; the buffer stays captured. */
        byte[] bytes(int i) {
            int b = buffers[i];
            byte[] out = new byte[pool.chainLength(b)];
            pool.copyOut(b, out, 0);
            assertEquals(WireError.OK, checkIp(out), "ip4-output received a packet that fails its checks");
            return out;
        }

        /** {@link #bytes} of packet {@code i}; then frees every captured buffer. */
        byte[] take(int i) {
            byte[] out = bytes(i);
            freeAll();
            return out;
        }

        /** Frees every captured buffer (the caller is the worker thread that owns the cache). */
        void freeAll() {
            for (int k = 0; k < count; k++) {
                cache.freeChain(buffers[k]);
            }
            count = 0;
        }
    }

    /** A UDP datagram {@code source:sourcePort → destination:destinationPort}, built with the wire emitters. */
    static byte[] udp(int source, int sourcePort, int destination, int destinationPort, byte[] payload) {
        byte[] packet = new byte[28 + payload.length];
        MemorySegment mem = MemorySegment.ofArray(packet);
        System.arraycopy(payload, 0, packet, 28, payload.length);
        Udp.emit(mem, 20, sourcePort, destinationPort, payload.length, source, destination);
        Ipv4.emit(mem, 0, packet.length, 7, true, 64, Ipv4.PROTOCOL_UDP, source, destination);
        return packet;
    }

    /** An ICMP echo request with {@code dataLength} bytes of data, built with the wire emitters. */
    static byte[] echoRequest(int source, int destination, int identifier, int sequence, int dataLength) {
        byte[] packet = new byte[28 + dataLength];
        MemorySegment mem = MemorySegment.ofArray(packet);
        for (int i = 0; i < dataLength; i++) {
            packet[28 + i] = (byte) i;
        }
        Icmp4.emitEcho(mem, 20, Icmp4.TYPE_ECHO_REQUEST, identifier, sequence, dataLength);
        Ipv4.emit(mem, 0, packet.length, 9, false, 64, Ipv4.PROTOCOL_ICMP, source, destination);
        return packet;
    }

    /** An ICMP error of {@code type}/{@code code} from {@code source} to {@code destination} quoting {@code about}. */
    static byte[] icmpError(int source, int destination, int type, int code, byte[] about) {
        int quote = Math.min(about.length, Ipv4.MIN_HEADER_LENGTH + Icmp4.QUOTED_PAYLOAD);
        byte[] packet = new byte[28 + quote];
        MemorySegment mem = MemorySegment.ofArray(packet);
        Icmp4.emitError(mem, 20, type, code, 0, MemorySegment.ofArray(about), 0, quote);
        Ipv4.emit(mem, 0, packet.length, 11, false, 64, Ipv4.PROTOCOL_ICMP, source, destination);
        return packet;
    }

    /** Rewrites the IPv4 header checksum of a 20-byte-header packet edited by hand, with the reference sum. */
    static void fixIpChecksum(byte[] packet) {
        TestFrames.put16(packet, 10, 0);
        TestFrames.put16(packet, 10, TestFrames.referenceChecksum(packet, 0, 20));
    }

    /** Rewrites the ICMP checksum of a 20-byte-header packet edited by hand, with the reference sum. */
    static void fixIcmpChecksum(byte[] packet) {
        TestFrames.put16(packet, 22, 0);
        TestFrames.put16(packet, 22, TestFrames.referenceChecksum(packet, 20, packet.length));
    }

    /** IPv4, then ICMP or UDP checks of a packet that starts at its IPv4 header, through the wire views. */
    static int checkIp(byte[] packet) {
        MemorySegment mem = MemorySegment.ofArray(packet);
        int result = Ipv4.check(mem, 0, packet.length, false);
        if (result != WireError.OK) {
            return result;
        }
        int header = Ipv4.headerLength(mem, 0);
        int payload = Ipv4.totalLength(mem, 0) - header;
        return switch (Ipv4.protocol(mem, 0)) {
            case Ipv4.PROTOCOL_ICMP -> Icmp4.check(mem, header, payload, false);
            case Ipv4.PROTOCOL_UDP -> Udp.check(mem, header, payload, Ipv4.source(mem, 0), Ipv4.destination(mem, 0),
                    false);
            default -> WireError.OK;
        };
    }

    /** Every buffer back: all caches flushed, the pool's free count equals its size. */
    void assertAllBuffersFree() {
        for (Worker w : workers) {
            w.cache.flushAll();
        }
        assertEquals(pool.bufferCount(), pool.buffersFree(), "buffers leaked");
    }

    @Override
    public void close() {
        for (Worker w : workers) {
            w.cache.close();
        }
        pool.close();
    }
}
