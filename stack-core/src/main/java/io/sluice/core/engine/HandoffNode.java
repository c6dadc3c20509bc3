package io.sluice.core.engine;

import io.sluice.core.buffer.BufferPool;
import io.sluice.core.graph.Frame;
import io.sluice.core.graph.Node;
import io.sluice.core.graph.NodeContext;
import io.sluice.core.graph.NodeError;
import java.util.List;

/**
 * Sends each buffer it receives to the worker recorded with {@link Handoff#setTargetWorker}: buffers are gathered
 * per target into hand-off frames, sent when full and at the end of each vector (so a vector costs one queue offer
 * and at most one wakeup per target). A buffer for this worker itself goes straight to
 * {@value DeviceInputNode#NEXT_NODE}.
 */
public final class HandoffNode extends Node {

    /** The node's name. */
    public static final String NAME = "handoff";

    static final int NEXT_LOCAL = 0;
    static final int QUEUE_FULL = 0;
    static final int BAD_WORKER = 1;

    private final int self;
    private final HandoffMesh mesh;
    /** Per target worker, the frame being filled during one vector (all sent by the vector's end). */
    private final HandoffFrame[] open;

    HandoffNode(int self, HandoffMesh mesh) {
        super(NAME, List.of(DeviceInputNode.NEXT_NODE), List.of(
                new NodeError("handoff-queue-full", "hand-off to another worker dropped: its queue is full"),
                new NodeError("handoff-bad-worker", "hand-off to a worker that does not exist")));
        this.self = self;
        this.mesh = mesh;
        this.open = new HandoffFrame[mesh.workers()];
    }

    @Override
    public void process(NodeContext ctx, Frame frame) {
        BufferPool pool = ctx.pool();
        int[] buffers = frame.buffers();
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            int buffer = buffers[i];
            int target = Handoff.targetWorker(pool, buffer);
            if (target == self) {
                ctx.enqueue(NEXT_LOCAL, buffer);
            } else if (target < 0 || target >= open.length) {
                ctx.drop(buffer, BAD_WORKER);
            } else {
                add(ctx, target, buffer);
            }
        }
        for (int target = 0; target < open.length; target++) {
            if (open[target] != null) {
                send(ctx, target);
            }
        }
    }

    private void add(NodeContext ctx, int target, int buffer) {
        HandoffFrame out = open[target];
        if (out == null) {
            out = mesh.emptyFrame(self, target);
            if (out == null) {
                ctx.drop(buffer, QUEUE_FULL);
                return;
            }
            open[target] = out;
        }
        out.buffers[out.count++] = buffer;
        if (out.isFull()) {
            send(ctx, target);
        }
    }

    private void send(NodeContext ctx, int target) {
        HandoffFrame out = open[target];
        open[target] = null;
        if (!mesh.send(self, target, out)) {
            // Cannot happen (each queue holds all of its pair's frames); never lose the buffers if it does. The
            // emptied frame stays open, to be filled and sent again.
            for (int i = 0; i < out.count; i++) {
                ctx.drop(out.buffers[i], QUEUE_FULL);
            }
            out.count = 0;
            open[target] = out;
        }
    }
}
