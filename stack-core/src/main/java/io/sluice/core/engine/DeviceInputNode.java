package io.sluice.core.engine;

import io.sluice.core.buffer.BufferPool;
import io.sluice.core.graph.Frame;
import io.sluice.core.graph.InputNode;
import io.sluice.core.graph.NodeContext;
import io.sluice.core.graph.NodeError;
import io.sluice.core.iface.Interface;
import java.util.List;

/**
 * Polls every (interface, receive queue) placed on this worker, marks each frame with the interface it arrived on
 * ({@code rxInterface}) and enqueues it to {@value #NEXT_NODE}.
 *
 * <p>An interface that is administratively down is still read, and its frames are dropped as
 * {@code interface-down}: left unread, a device with a readiness descriptor (a TAP queue) would stay readable and
 * keep the worker from sleeping, and its frames would only pile up in the kernel.
 */
public final class DeviceInputNode extends InputNode {

    /** The node's name. */
    public static final String NAME = "device-input";
    /** Where received and handed-off frames go. */
    public static final String NEXT_NODE = "ethernet-input";

    static final int INTERFACE_DOWN = 0;

    private final RxQueues queues;
    private final int[] received = new int[Frame.CAPACITY];

    DeviceInputNode(RxQueues queues) {
        super(NAME, List.of(NEXT_NODE), List.of(
                new NodeError("interface-down", "frame received on an interface that is administratively down")));
        this.queues = queues;
    }

    @Override
    public int poll(NodeContext ctx, int budget) {
        BufferPool pool = ctx.pool();
        int max = Math.min(budget, received.length);
        int total = 0;
        Interface[] interfaces = queues.interfaces;
        int[] queueIds = queues.queueIds;
        for (int i = 0; i < queues.count; i++) {
            Interface iface = interfaces[i];
            int n = iface.device().receive(queueIds[i], ctx.now(), ctx.cache(), received, 0, max);
            if (n == 0) {
                continue;
            }
            total += n;
            if (!iface.isAdminUp()) {
                for (int k = 0; k < n; k++) {
                    ctx.drop(received[k], INTERFACE_DOWN);
                }
                continue;
            }
            int index = iface.index();
            for (int k = 0; k < n; k++) {
                pool.setRxInterface(received[k], index);
                ctx.enqueue(0, received[k]);
            }
        }
        return total;
    }
}
