package io.sluice.core.graph;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.buffer.BufferPool;
import java.util.ArrayList;
import java.util.List;

/**
 * One worker's instance of the packet graph, run by that worker's thread only.
 *
 * <p>{@link #runOnce(long)} is one pass of the worker loop: it polls every input node, then dispatches pending
 * frames until none are left (or a bound is reached), so a vector goes as far through the graph as it can before
 * the next poll. A node sends a buffer on with {@link NodeContext#enqueue}: the buffer is appended to the target
 * node's open frame; the frame was taken from a preallocated pool and queued for dispatch when it was opened, and a
 * full frame is closed so the next buffer opens another. Dispatching a frame runs the node on it, then returns
 * the frame to the pool. Nothing on this path allocates.
 *
 * <p>If the frame pool runs dry (a graph that fans out far more than the pool was sized for), the buffer is
 * dropped and counted as a no-frame drop on the node that sent it; it is never lost silently.
 */
public final class Graph {

    /** Frames dispatched per {@link #runOnce} at most, per node, so a cycle in the graph cannot hold the loop. */
    static final int DISPATCH_ROUNDS_PER_NODE = 64;

    private final Node[] nodes;
    private final NodeContext[] contexts;
    private final int[] inputIndices;
    private final BufferPool pool;
    private final BufferCache cache;

    private final Frame[] open;
    private final Frame[] freeFrames;
    private int freeCount;

    /** Dispatch queue: a ring of (node, frame), as long as the frame pool (a frame is queued at most once). */
    private final int[] dispatchNode;
    private final Frame[] dispatchFrame;
    private int dispatchHead;
    private int dispatchSize;
    private final int dispatchLimit;

    private long now;
    private long droppedBuffers;

    Graph(List<Node> nodeList, int[][] nextIndices, BufferPool pool, BufferCache cache, int framePoolSize) {
        this.nodes = nodeList.toArray(new Node[0]);
        this.pool = pool;
        this.cache = cache;
        this.contexts = new NodeContext[nodes.length];
        List<Integer> inputs = new ArrayList<>();
        for (int i = 0; i < nodes.length; i++) {
            contexts[i] = new NodeContext(this, nextIndices[i], nodes[i].errors().size());
            if (nodes[i] instanceof InputNode) {
                inputs.add(i);
            }
        }
        this.inputIndices = inputs.stream().mapToInt(Integer::intValue).toArray();
        this.open = new Frame[nodes.length];
        this.freeFrames = new Frame[framePoolSize];
        for (int i = 0; i < framePoolSize; i++) {
            freeFrames[i] = new Frame();
        }
        this.freeCount = framePoolSize;
        this.dispatchNode = new int[framePoolSize];
        this.dispatchFrame = new Frame[framePoolSize];
        this.dispatchLimit = DISPATCH_ROUNDS_PER_NODE * nodes.length;
    }

    /**
     * One pass of the worker loop at time {@code now}: poll the inputs, then dispatch what they produced.
     *
     * @return the packets polled plus the frames dispatched: 0 means the worker was idle
     */
    public int runOnce(long now) {
        this.now = now;
        int work = 0;
        for (int index : inputIndices) {
            NodeContext ctx = contexts[index];
            long start = System.nanoTime();
            int polled = ((InputNode) nodes[index]).poll(ctx, Frame.CAPACITY);
            if (polled > 0) {
                ctx.calls++;
                ctx.vectors += polled;
                ctx.nanos += System.nanoTime() - start;
                work += polled;
            }
        }
        return work + dispatchPending();
    }

    /**
     * Lets each input node announce the coming sleep to its producers ({@link InputNode#prepareToSleep}).
     *
     * @return false if one of them has work already; then every node that announced was told {@link #inputsAwake}
     */
    public boolean prepareInputsToSleep() {
        for (int i = 0; i < inputIndices.length; i++) {
            if (!((InputNode) nodes[inputIndices[i]]).prepareToSleep()) {
                for (int j = 0; j <= i; j++) {
                    ((InputNode) nodes[inputIndices[j]]).awake();
                }
                return false;
            }
        }
        return true;
    }

    /** The worker woke: every input node takes its sleep announcement back. */
    public void inputsAwake() {
        for (int index : inputIndices) {
            ((InputNode) nodes[index]).awake();
        }
    }

    /** Dispatches queued frames, at most {@link #DISPATCH_ROUNDS_PER_NODE} per node; returns how many. */
    int dispatchPending() {
        int dispatched = 0;
        while (dispatchSize > 0 && dispatched < dispatchLimit) {
            int node = dispatchNode[dispatchHead];
            Frame frame = dispatchFrame[dispatchHead];
            dispatchFrame[dispatchHead] = null;
            dispatchHead = (dispatchHead + 1) % dispatchNode.length;
            dispatchSize--;
            if (open[node] == frame) {
                open[node] = null; // later buffers for this node go into a new frame
            }
            NodeContext ctx = contexts[node];
            long start = System.nanoTime();
            try {
                nodes[node].process(ctx, frame);
            } finally {
                // A node that throws (a bug) must not take the frame out of the pool for good.
                ctx.nanos += System.nanoTime() - start;
                ctx.calls++;
                ctx.vectors += frame.count();
                frame.clear();
                freeFrames[freeCount++] = frame;
                dispatched++;
            }
        }
        return dispatched;
    }

    /** Whether frames wait for dispatch (a bounded {@link #runOnce} left some, or nothing ran yet). */
    public boolean hasPendingFrames() {
        return dispatchSize > 0;
    }

    void enqueue(int target, int buffer, NodeContext from) {
        Frame frame = open[target];
        if (frame == null) {
            if (freeCount == 0) {
                from.noFrameDrops++;
                free(buffer);
                return;
            }
            frame = freeFrames[--freeCount];
            open[target] = frame;
            int tail = (dispatchHead + dispatchSize) % dispatchNode.length;
            dispatchNode[tail] = target;
            dispatchFrame[tail] = frame;
            dispatchSize++;
        }
        frame.add(buffer);
        if (frame.isFull()) {
            open[target] = null;
        }
    }

    void free(int buffer) {
        droppedBuffers++;
        cache.freeChain(buffer);
    }

    BufferPool pool() {
        return pool;
    }

    BufferCache cache() {
        return cache;
    }

    long now() {
        return now;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Counters, for show runtime / show errors (these allocate: not for the data path)
    // ---------------------------------------------------------------------------------------------------------

    /** A node's runtime counters. */
    public record NodeRuntime(String name, long calls, long vectors, long nanos, long noFrameDrops) {
        /** Average vector size: packets per call. */
        public double vectorsPerCall() {
            return calls == 0 ? 0 : (double) vectors / calls;
        }

        /** Nanoseconds per packet. */
        public double nanosPerPacket() {
            return vectors == 0 ? 0 : (double) nanos / vectors;
        }
    }

    /** One node's count of one reason. */
    public record ErrorCount(String node, String symbol, String description, long count) {}

    /** Every node's runtime counters, in the graph's order. */
    public List<NodeRuntime> runtime() {
        List<NodeRuntime> out = new ArrayList<>(nodes.length);
        for (int i = 0; i < nodes.length; i++) {
            NodeContext c = contexts[i];
            out.add(new NodeRuntime(nodes[i].name(), c.calls, c.vectors, c.nanos, c.noFrameDrops));
        }
        return out;
    }

    /** Every non-zero reason count, node by node. */
    public List<ErrorCount> errors() {
        List<ErrorCount> out = new ArrayList<>();
        for (int i = 0; i < nodes.length; i++) {
            List<NodeError> declared = nodes[i].errors();
            for (int r = 0; r < declared.size(); r++) {
                long count = contexts[i].errorCount(r);
                if (count != 0) {
                    out.add(new ErrorCount(nodes[i].name(), declared.get(r).symbol(), declared.get(r).description(),
                            count));
                }
            }
        }
        return out;
    }

    /** Buffers freed by drops since the graph was built. */
    public long droppedBuffers() {
        return droppedBuffers;
    }

    /** Zeroes the runtime and error counters ({@code clear runtime}, {@code clear errors}). */
    public void clearCounters() {
        for (NodeContext c : contexts) {
            c.clearCounters();
        }
        droppedBuffers = 0;
    }

    /** The node instances of this graph, in order (for tests and the CLI). */
    public List<Node> nodes() {
        return List.of(nodes);
    }
}
