package io.sluice.core.engine;

import io.sluice.core.graph.InputNode;
import io.sluice.core.graph.NodeContext;
import java.util.List;

/**
 * Takes the frames other workers handed off to this one and enqueues their buffers to
 * {@value DeviceInputNode#NEXT_NODE} (their current data is at the Ethernet header), then gives the frames back.
 */
public final class HandoffInputNode extends InputNode {

    /** The node's name. */
    public static final String NAME = "handoff-input";

    private final int self;
    private final HandoffMesh mesh;

    HandoffInputNode(int self, HandoffMesh mesh) {
        super(NAME, List.of(DeviceInputNode.NEXT_NODE), List.of());
        this.self = self;
        this.mesh = mesh;
    }

    @Override
    public int poll(NodeContext ctx, int budget) {
        int taken = 0;
        for (int s = 0; s < mesh.workers(); s++) {
            if (s == self) {
                continue;
            }
            HandoffFrame frame;
            while (taken < budget && (frame = mesh.receive(s, self)) != null) {
                for (int i = 0; i < frame.count; i++) {
                    ctx.enqueue(0, frame.buffers[i]);
                }
                taken += frame.count;
                mesh.recycle(s, self, frame);
            }
        }
        return taken;
    }
}
