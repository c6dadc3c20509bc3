package io.sluice.core.graph;

import io.sluice.core.buffer.BufferPool;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A node that decides packet by packet: {@link #handle} either sends the buffer on (or hands it to a table that
 * keeps it) and returns {@link #KEPT}, or returns the reason to drop it for, and the loop here drops it. So every
 * buffer is enqueued or dropped exactly once by construction, and the nodes only say which.
 */
public abstract class PacketNode extends Node {

    /** {@link #handle}: the buffer went on; nothing to drop. */
    public static final int KEPT = -1;

    protected PacketNode(String name, List<String> nextNodes, List<NodeError> errors) {
        super(name, nextNodes, errors);
    }

    @Override
    public final void process(NodeContext ctx, Frame frame) {
        BufferPool pool = ctx.pool();
        MemorySegment mem = pool.memory();
        int[] buffers = frame.buffers();
        for (int n = 0; n < frame.count(); n++) {
            int reason = handle(ctx, pool, mem, buffers[n]);
            if (reason != KEPT) {
                ctx.drop(buffers[n], reason);
            }
        }
        afterFrame(ctx);
    }

    /** Sends {@code buffer} on and returns {@link #KEPT}, or returns the reason to drop it for. */
    protected abstract int handle(NodeContext ctx, BufferPool pool, MemorySegment mem, int buffer);

    /** Runs once after each frame (nothing by default). */
    protected void afterFrame(NodeContext ctx) {
    }
}
