package io.sluice.core.graph;

import java.util.List;

/**
 * A step of the packet graph: it receives a frame of buffer indices and sends each buffer on to one of its next
 * nodes, or drops it with a reason. Each worker has its own instance of every node (built by the factory given to
 * {@link GraphBuilder}), so a node's fields are touched by one thread only.
 *
 * <p>A node names its next nodes; the graph resolves the names once into indices, in declaration order, so
 * {@code ctx.enqueue(NEXT_IP4, buffer)} is an array access. Per-packet work reads the buffer pool's memory through
 * the static views of {@code io.sluice.core.wire}; nothing is allocated per packet.
 */
public abstract class Node {

    private final String name;
    private final List<String> nextNodes;
    private final List<NodeError> errors;

    /**
     * @param name unique in the graph
     * @param nextNodes the names of the nodes this one sends to; index {@code i} here is next index {@code i}
     * @param errors the reasons this node counts; index {@code i} here is reason {@code i}
     */
    protected Node(String name, List<String> nextNodes, List<NodeError> errors) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a node needs a name");
        }
        this.name = name;
        this.nextNodes = List.copyOf(nextNodes);
        this.errors = List.copyOf(errors);
    }

    public final String name() {
        return name;
    }

    public final List<String> nextNodes() {
        return nextNodes;
    }

    public final List<NodeError> errors() {
        return errors;
    }

    /**
     * Processes every buffer of {@code frame}: each must be enqueued to a next node or dropped through
     * {@code ctx}, exactly once. The frame is only valid during the call.
     */
    public abstract void process(NodeContext ctx, Frame frame);
}
