package io.sluice.core.graph;

import java.util.List;

/**
 * A node the worker polls for new packets (a device receive queue, the handoff queue from other workers, the
 * session layer's event queues) instead of one that receives frames.
 */
public abstract class InputNode extends Node {

    protected InputNode(String name, List<String> nextNodes, List<NodeError> errors) {
        super(name, nextNodes, errors);
    }

    /**
     * Takes up to {@code budget} packets from the source and enqueues them to next nodes through {@code ctx}.
     *
     * @return how many packets it took (0 when idle)
     */
    public abstract int poll(NodeContext ctx, int budget);

    /**
     * The worker is about to sleep: a source whose producers wake the worker only after an announcement (a message
     * queue in shared memory with its own sleeping flag) makes it here, then looks once more.
     *
     * @return false if work arrived meanwhile (the worker stays awake); true to let it sleep
     */
    public boolean prepareToSleep() {
        return true;
    }

    /** The worker is awake again (or did not sleep after all): take back what {@link #prepareToSleep} announced. */
    public void awake() {
    }

    /** Input nodes receive no frames. */
    @Override
    public final void process(NodeContext ctx, Frame frame) {
        throw new IllegalStateException("input node " + name() + " received a frame");
    }
}
