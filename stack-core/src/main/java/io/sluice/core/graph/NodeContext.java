package io.sluice.core.graph;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.buffer.BufferPool;
import java.util.Arrays;

/**
 * What a node's code sees of its worker's graph: where to send buffers, how to drop them, the time of this pass.
 * One per node per worker; it also holds that node's counters (plain fields: one thread writes them).
 */
public final class NodeContext {

    private final Graph graph;
    private final int[] nextNodeIndex;
    private final long[] errorCounts;
    long calls;
    long vectors;
    long nanos;
    long noFrameDrops;

    NodeContext(Graph graph, int[] nextNodeIndex, int errorCount) {
        this.graph = graph;
        this.nextNodeIndex = nextNodeIndex;
        this.errorCounts = new long[errorCount];
    }

    /** Sends {@code buffer} to the node at {@code next} in this node's list of next nodes. */
    public void enqueue(int next, int buffer) {
        graph.enqueue(nextNodeIndex[next], buffer, this);
    }

    /** Frees {@code buffer} (and buffers chained to it) and counts {@code reason}, an index into the node's errors. */
    public void drop(int buffer, int reason) {
        errorCounts[reason]++;
        graph.free(buffer);
    }

    /** Counts {@code reason} without dropping anything (a reply sent, an option ignored...). */
    public void count(int reason) {
        errorCounts[reason]++;
    }

    /** The pool the buffers live in: their memory and metadata. */
    public BufferPool pool() {
        return graph.pool();
    }

    /** The worker's cache of free buffers: where a node allocates a buffer (a reply, a request) and frees one. */
    public BufferCache cache() {
        return graph.cache();
    }

    /** The time of this pass of the worker loop, as given to {@link Graph#runOnce(long)}. */
    public long now() {
        return graph.now();
    }

    long errorCount(int reason) {
        return errorCounts[reason];
    }

    void clearCounters() {
        calls = 0;
        vectors = 0;
        nanos = 0;
        noFrameDrops = 0;
        Arrays.fill(errorCounts, 0);
    }
}
