package io.sluice.core.ip;

import io.sluice.core.graph.InputNode;
import io.sluice.core.graph.NodeContext;
import io.sluice.core.graph.NodeError;
import java.util.List;

/**
 * {@value #NAME}: polled on every pass of the worker loop, it flushes what the worker's {@link ArpTable} decided
 * outside any node (timer expiries: request retransmissions, unicast polls, packets dropped as {@code arp-failed})
 * from {@link Ip4Neighbours} into the graph, and sends the gratuitous ARPs for new or newly up interface
 * addresses. Idle, it costs a few reads.
 */
public final class Ip4NeighbourNode extends InputNode {

    /** The node's name. */
    public static final String NAME = "ip4-neighbour";

    static final int NEXT_OUTPUT = 0;
    static final int NEIGHBOUR_REASONS = 0;

    private static final List<NodeError> ERRORS = Ip4Neighbours.withNeighbourErrors(List.of());

    private final Ip4Neighbours neighbours;

    public Ip4NeighbourNode(Ip4Neighbours neighbours) {
        super(NAME, List.of(Ip4Layer.INTERFACE_OUTPUT), ERRORS);
        this.neighbours = neighbours;
    }

    @Override
    public int poll(NodeContext ctx, int budget) {
        return neighbours.flush(ctx, NEXT_OUTPUT, NEIGHBOUR_REASONS)
                + neighbours.announce(ctx, NEXT_OUTPUT, NEIGHBOUR_REASONS);
    }
}
