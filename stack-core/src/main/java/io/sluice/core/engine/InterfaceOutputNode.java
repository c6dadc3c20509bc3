package io.sluice.core.engine;

import io.sluice.core.buffer.BufferPool;
import io.sluice.core.buffer.BufferLayout;
import io.sluice.core.wire.Tcp;
import java.lang.foreign.MemorySegment;
import io.sluice.core.graph.Frame;
import io.sluice.core.graph.Node;
import io.sluice.core.graph.NodeContext;
import io.sluice.core.graph.NodeError;
import io.sluice.core.iface.Interface;
import io.sluice.core.iface.InterfaceTable;
import io.sluice.core.phy.Device;
import java.util.List;

/**
 * Transmits complete Ethernet frames on the interface each buffer names ({@code txInterface}): the frame's buffers
 * are grouped per interface (one pass per distinct interface over what is left, so a vector for one interface is
 * one {@link Device#transmit} call) and sent on this worker's transmit queue of the device, under the queue's lock
 * when workers share it. The device frees every buffer it takes.
 */
public final class InterfaceOutputNode extends Node {

    /** The node's name. */
    public static final String NAME = "interface-output";

    static final int UNKNOWN_INTERFACE = 0;
    static final int INTERFACE_DOWN = 1;

    private final int worker;
    private final InterfaceTable interfaces;
    private final TransmitQueues transmitQueues;
    private final int[] batch = new int[Frame.CAPACITY];
    /** What one pass leaves for the next: written into one while the other (or the frame) is read. */
    private final int[] restA = new int[Frame.CAPACITY];
    private final int[] restB = new int[Frame.CAPACITY];

    InterfaceOutputNode(int worker, InterfaceTable interfaces, TransmitQueues transmitQueues) {
        super(NAME, List.of(), List.of(
                new NodeError("unknown-interface", "frame for a transmit interface that does not exist"),
                new NodeError("interface-down", "frame for an interface that is administratively down")));
        this.worker = worker;
        this.interfaces = interfaces;
        this.transmitQueues = transmitQueues;
    }

    @Override
    public void process(NodeContext ctx, Frame frame) {
        BufferPool pool = ctx.pool();
        int[] from = frame.buffers();
        int[] into = restA;
        int left = frame.count();
        while (left > 0) {
            int ifIndex = pool.txInterface(from[0]);
            int inBatch = 0;
            int remaining = 0;
            for (int i = 0; i < left; i++) {
                int buffer = from[i];
                if (pool.txInterface(buffer) == ifIndex) {
                    batch[inBatch++] = buffer;
                } else {
                    into[remaining++] = buffer;
                }
            }
            send(ctx, ifIndex, inBatch);
            from = into;
            into = from == restA ? restB : restA;
            left = remaining;
        }
    }

    /**
     * Completes the partial TCP checksums (buffers flagged {@link BufferLayout#FLAG_L4_CHECKSUM_PARTIAL}) of the
     * batch for a device that does not offload them: the checksum is computed once, at the last moment, where the
     * device is known.
     */
    private void completeChecksums(BufferPool pool, int count) {
        MemorySegment mem = pool.memory();
        for (int i = 0; i < count; i++) {
            int b = batch[i];
            int flags = pool.flags(b);
            if ((flags & BufferLayout.FLAG_L4_CHECKSUM_PARTIAL) != 0) {
                Tcp.completeChecksumInFrame(mem, pool.dataOffset(b));
                pool.setFlags(b, flags & ~BufferLayout.FLAG_L4_CHECKSUM_PARTIAL);
            }
        }
    }

    private void send(NodeContext ctx, int ifIndex, int count) {
        Interface iface = interfaces.get(ifIndex);
        int reason = iface == null || !transmitQueues.isRegistered(ifIndex) ? UNKNOWN_INTERFACE
                : iface.isAdminUp() ? -1 : INTERFACE_DOWN;
        if (reason >= 0) {
            for (int i = 0; i < count; i++) {
                ctx.drop(batch[i], reason);
            }
            return;
        }
        Device device = iface.device();
        if (!device.checksumOffload()) {
            completeChecksums(ctx.pool(), count);
        }
        int queue = TransmitQueues.queueOf(worker, device);
        Object lock = transmitQueues.lock(ifIndex, queue);
        if (lock == null) {
            device.transmit(queue, ctx.now(), ctx.cache(), batch, 0, count);
        } else {
            synchronized (lock) {
                device.transmit(queue, ctx.now(), ctx.cache(), batch, 0, count);
            }
        }
    }
}
