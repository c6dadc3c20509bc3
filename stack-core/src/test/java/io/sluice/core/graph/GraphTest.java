package io.sluice.core.graph;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.buffer.BufferPoolConfig;
import io.sluice.core.util.AllocationMeter;
import java.util.List;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GraphTest {

    private final BufferPool pool = BufferPool.create(BufferPoolConfig.defaults().withBufferCount(4096));
    private final BufferCache cache = pool.newCache();

    @AfterEach
    void close() {
        cache.close();
        pool.close();
    }

    /** An input that hands out queued buffers; with {@code burst} it ignores the budget (a test double). */
    static final class Source extends InputNode {
        final int[] queue = new int[4096];
        int head;
        int tail;
        final boolean burst;

        Source(String next, boolean burst) {
            super("source", List.of(next), List.of());
            this.burst = burst;
        }

        @Override
        public int poll(NodeContext ctx, int budget) {
            int n = 0;
            while (head < tail && (burst || n < budget)) {
                ctx.enqueue(0, queue[head++]);
                n++;
            }
            if (head == tail) {
                head = 0;
                tail = 0;
            }
            return n;
        }
    }

    /** Sends even first bytes to next 0, odd to next 1, drops 0xFF as "bad-byte". */
    static final class Classify extends Node {
        static final int BAD_BYTE = 0;

        Classify() {
            super("classify", List.of("even", "odd"), List.of(new NodeError("bad-byte", "first byte is 0xff")));
        }

        @Override
        public void process(NodeContext ctx, Frame frame) {
            int[] buffers = frame.buffers();
            for (int i = 0; i < frame.count(); i++) {
                int b = buffers[i];
                byte first = ctx.pool().memory().get(JAVA_BYTE, ctx.pool().dataOffset(b));
                if (first == (byte) 0xff) {
                    ctx.drop(b, BAD_BYTE);
                } else {
                    ctx.enqueue(first & 1, b);
                }
            }
        }
    }

    /** Consumes what it receives, counting it as "delivered". */
    static final class Sink extends Node {
        long received;
        int largestFrame;

        Sink(String name) {
            super(name, List.of(), List.of(new NodeError("delivered", "packets consumed")));
        }

        @Override
        public void process(NodeContext ctx, Frame frame) {
            largestFrame = Math.max(largestFrame, frame.count());
            for (int i = 0; i < frame.count(); i++) {
                received++;
                ctx.drop(frame.buffer(i), 0);
            }
        }
    }

    private static GraphBuilder classifierGraph(boolean burst) {
        return new GraphBuilder()
                .add("source", () -> new Source("classify", burst))
                .add("classify", Classify::new)
                .add("even", () -> new Sink("even"))
                .add("odd", () -> new Sink("odd"));
    }

    private static <T extends Node> T node(Graph graph, String name, Class<T> type) {
        return graph.nodes().stream().filter(n -> n.name().equals(name)).map(type::cast).findFirst().orElseThrow();
    }

    /** Queues {@code count} fresh buffers whose first byte is {@code firstByte.applyAsInt(i)}. */
    private void feed(Source source, int count, IntUnaryOperator firstByte) {
        for (int i = 0; i < count; i++) {
            int b = cache.allocate();
            assertTrue(b != BufferPool.NO_BUFFER);
            pool.setCurrentLength(b, 64);
            pool.memory().set(JAVA_BYTE, pool.dataOffset(b), (byte) firstByte.applyAsInt(i));
            source.queue[source.tail++] = b;
        }
    }

    private static int runUntilIdle(Graph graph) {
        int passes = 0;
        while (graph.runOnce(passes) > 0) {
            passes++;
            assertTrue(passes < 1000, "graph never went idle");
        }
        return passes;
    }

    private void assertAllBuffersReturned() {
        cache.flushAll();
        assertEquals(0, pool.buffersInUse(), "buffers still held after the graph went idle");
    }

    @Test
    void routesEveryBufferToItsNextNodeOrDropsItWithAReason() {
        Graph graph = classifierGraph(false).build(pool, cache);
        Source source = node(graph, "source", Source.class);
        feed(source, 1000, i -> i % 5 == 4 ? 0xff : i % 2);
        runUntilIdle(graph);

        Sink even = node(graph, "even", Sink.class);
        Sink odd = node(graph, "odd", Sink.class);
        assertEquals(200, graph.errors().stream().filter(e -> e.symbol().equals("bad-byte")).findFirst()
                .orElseThrow().count());
        assertEquals(800, even.received + odd.received);
        assertEquals(400, even.received, "i % 2 == 0 and i % 5 != 4");
        assertEquals(1000, graph.droppedBuffers(), "every buffer freed exactly once (delivered or dropped)");
        assertAllBuffersReturned();
    }

    @Test
    void aBurstIsSplitIntoFramesOfAtMost256() {
        Graph graph = classifierGraph(true).build(pool, cache);
        feed(node(graph, "source", Source.class), 600, i -> 2);
        graph.runOnce(0);
        Graph.NodeRuntime classify = graph.runtime().get(1);
        assertEquals("classify", classify.name());
        assertEquals(3, classify.calls(), "600 buffers arrive as frames of 256, 256 and 88");
        assertEquals(600, classify.vectors());
        assertEquals(200.0, classify.vectorsPerCall(), 1e-9);
        Sink even = node(graph, "even", Sink.class);
        assertEquals(600, even.received);
        assertEquals(Frame.CAPACITY, even.largestFrame);
        assertAllBuffersReturned();
    }

    @Test
    void aDryFramePoolDropsAndCountsInsteadOfLosing() {
        Graph graph = classifierGraph(true).build(pool, cache, 1);
        feed(node(graph, "source", Source.class), 300, i -> i % 2);
        runUntilIdle(graph);
        long noFrame = graph.runtime().stream().mapToLong(Graph.NodeRuntime::noFrameDrops).sum();
        long delivered = node(graph, "even", Sink.class).received + node(graph, "odd", Sink.class).received;
        assertTrue(noFrame > 0, "one frame cannot carry this graph");
        assertEquals(300, noFrame + delivered, "every buffer is either delivered or counted as a no-frame drop");
        assertAllBuffersReturned();
    }

    @Test
    void aCycleCannotHoldTheWorkerLoop() {
        Node loop = new Node("loop", List.of("loop"), List.of()) {
            @Override
            public void process(NodeContext ctx, Frame frame) {
                for (int i = 0; i < frame.count(); i++) {
                    ctx.enqueue(0, frame.buffer(i));
                }
            }
        };
        Source source = new Source("loop", false);
        Graph graph = new GraphBuilder().add("source", () -> source).add("loop", () -> loop).build(pool, cache);
        feed(source, 10, i -> 0);
        int work = graph.runOnce(0);
        assertEquals(10 + Graph.DISPATCH_ROUNDS_PER_NODE * 2, work, "polled 10, then the dispatch bound");
        assertTrue(graph.hasPendingFrames(), "the rest waits for the next pass");
    }

    @Test
    void countersReportAndClear() {
        Graph graph = classifierGraph(false).build(pool, cache);
        feed(node(graph, "source", Source.class), 100, i -> 0xff);
        runUntilIdle(graph);
        Graph.NodeRuntime source = graph.runtime().get(0);
        assertEquals(1, source.calls());
        assertEquals(100, source.vectors());
        assertTrue(graph.runtime().get(1).nanos() > 0);
        assertEquals(List.of(new Graph.ErrorCount("classify", "bad-byte", "first byte is 0xff", 100)),
                graph.errors());
        graph.clearCounters();
        assertTrue(graph.errors().isEmpty());
        assertEquals(0, graph.runtime().get(1).vectors());
        assertEquals(0, graph.droppedBuffers());
    }

    @Test
    void buildingChecksTheGraph() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> new GraphBuilder().add("source", () -> new Source("clasify", false)).build(pool, cache));
        assertTrue(unknown.getMessage().contains("'source' sends to 'clasify'"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new GraphBuilder().add("even", () -> new Sink("even")).add("even", () -> new Sink("even")));
        IllegalArgumentException misnamed = assertThrows(IllegalArgumentException.class,
                () -> new GraphBuilder().add("odd", () -> new Sink("even")).build(pool, cache));
        assertTrue(misnamed.getMessage().contains("made a node named 'even'"), misnamed.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new NodeError("Bad Symbol", "x"));
        assertThrows(IllegalArgumentException.class, () -> new NodeError("ok", " "));
    }

    @Test
    void eachWorkerGetsItsOwnNodeInstances() {
        GraphBuilder builder = classifierGraph(false);
        Graph first = builder.build(pool, cache);
        Graph second = builder.build(pool, cache);
        assertFalse(first.nodes().get(1) == second.nodes().get(1));
    }

    @Test
    void thePacketPathAllocatesNothing() {
        Graph graph = classifierGraph(false).build(pool, cache);
        Source source = node(graph, "source", Source.class);
        long allocated = AllocationMeter.allocatedInSteadyState(() -> {
            for (int round = 0; round < 20; round++) {
                for (int i = 0; i < 512; i++) {
                    int b = cache.allocate();
                    pool.memory().set(JAVA_BYTE, pool.dataOffset(b), (byte) (i % 7 == 6 ? 0xff : i));
                    source.queue[source.tail++] = b;
                }
                while (graph.runOnce(round) > 0) {
                    // run to idle
                }
            }
        });
        assertEquals(0, allocated, "bytes allocated by 20 rounds of 512 packets through the graph");
        assertAllBuffersReturned();
    }
}
