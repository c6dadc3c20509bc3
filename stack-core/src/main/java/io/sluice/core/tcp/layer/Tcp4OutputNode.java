package io.sluice.core.tcp.layer;

import io.sluice.core.graph.InputNode;
import io.sluice.core.graph.NodeContext;
import io.sluice.core.graph.NodeError;
import java.util.List;

/**
 * "tcp4-output": polled every pass, it runs the worker's TCP work that does not come from a received segment —
 * expired connection timers (retransmission, delayed ACK, persist, TIME-WAIT...) and the requests application
 * threads posted (open, send, close, abort) — so the segments they emit leave through this node's context to
 * ip4-output.
 */
public final class Tcp4OutputNode extends InputNode {

    /** The node's name. */
    public static final String NAME = "tcp4-output";

    private static final int NEXT_IP4_OUTPUT = 0;

    private final TcpWorker worker;

    public Tcp4OutputNode(TcpLayer layer, int worker) {
        super(NAME, List.of("ip4-output"), List.<NodeError>of());
        this.worker = layer.worker(worker);
    }

    @Override
    public int poll(NodeContext ctx, int budget) {
        return worker.runPending(ctx, NEXT_IP4_OUTPUT, budget);
    }
}
