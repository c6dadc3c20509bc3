package io.sluice.core.ip;

import io.sluice.core.buffer.BufferLayout;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.engine.Handoff;
import io.sluice.core.engine.HandoffNode;
import io.sluice.core.graph.NodeContext;
import io.sluice.core.graph.NodeError;
import io.sluice.core.graph.PacketNode;
import io.sluice.core.iface.InterfaceTable;
import io.sluice.core.wire.Arp;
import io.sluice.core.wire.Ethernet;
import io.sluice.core.wire.WireError;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * {@value #NAME}: ARP packets from ethernet-input (current data at the ARP packet, the Ethernet header just
 * before it). Checks them ({@link Arp#check}), learns the sender through the worker's {@link ArpTable} (RFC 826's
 * merge rule: update if known, create only when the request or reply targets one of our addresses on the receiving
 * interface), and turns a request for one of those addresses into the reply in place, sent back on the receiving
 * interface. Other ARP packets are consumed and counted by kind. A sender claiming one of our addresses on the
 * link (RFC 5227 §2.4 conflict) teaches nothing and is counted; defending the address is not done yet.
 *
 * <p>Packets a reply releases are flushed from the worker's {@link Ip4Neighbours} at the end of each frame, so they
 * leave before anything ip4-output sends to the same neighbour afterwards.
 */
public final class ArpInputNode extends PacketNode {

    /** The node's name. */
    public static final String NAME = "arp-input";

    static final int NEXT_OUTPUT = 0;
    /** Only in a graph of several workers: where copies for the other workers go. */
    static final int NEXT_HANDOFF = 1;

    /**
     * Marks a copy of an ARP packet handed to another worker: that worker learns from it and consumes it (no reply,
     * no further copies). The bit after the TAP device's checksum flag.
     */
    public static final int FLAG_REPLICA = BufferLayout.FLAG_FIRST_USER_BIT << 1;

    // Reasons 0..4 are WireError.ARP_TOO_SHORT..ARP_BAD_SENDER, in that order.
    static final int ADDRESS_CONFLICT = 5;
    static final int REPLY_RECEIVED = 6;
    static final int REQUEST_NOT_FOR_US = 7;
    static final int GRATUITOUS = 8;
    static final int PROBE = 9;
    static final int REPLICA_LEARNED = 10;
    static final int REPLICA_NO_BUFFER = 11;
    static final int NEIGHBOUR_REASONS = 12;

    private static final List<NodeError> ERRORS = Ip4Neighbours.withNeighbourErrors(List.of(
            NodeError.ofWireError(WireError.ARP_TOO_SHORT),
            NodeError.ofWireError(WireError.ARP_BAD_HARDWARE),
            NodeError.ofWireError(WireError.ARP_BAD_PROTOCOL),
            NodeError.ofWireError(WireError.ARP_BAD_OPERATION),
            NodeError.ofWireError(WireError.ARP_BAD_SENDER),
            new NodeError("address-conflict", "ARP sender claims one of our addresses"),
            new NodeError("reply-received", "ARP reply processed"),
            new NodeError("request-not-for-us", "ARP request for another host"),
            new NodeError("gratuitous-arp", "gratuitous ARP processed"),
            new NodeError("probe-not-for-us", "ARP probe for another host"),
            new NodeError("replica-learned", "copy of an ARP packet another worker received, learned from"),
            new NodeError("replica-no-buffer", "no buffer to copy an ARP packet for another worker")));

    private final InterfaceTable interfaces;
    private final Ip4Fib fib;
    private final ArpTable table;
    private final Ip4Neighbours neighbours;

    private final int worker;
    private final int workers;

    /** The node of a stack with one worker. */
    public ArpInputNode(InterfaceTable interfaces, Ip4Fib fib, ArpTable table, Ip4Neighbours neighbours) {
        this(interfaces, fib, table, neighbours, 0, 1);
    }

    /** The node of worker {@code worker} of {@code workers}; with several, copies go to {@value HandoffNode#NAME}. */
    public ArpInputNode(InterfaceTable interfaces, Ip4Fib fib, ArpTable table, Ip4Neighbours neighbours, int worker,
            int workers) {
        super(NAME, workers > 1 ? List.of(Ip4Layer.INTERFACE_OUTPUT, HandoffNode.NAME)
                : List.of(Ip4Layer.INTERFACE_OUTPUT), ERRORS);
        this.interfaces = interfaces;
        this.fib = fib;
        this.table = table;
        this.neighbours = neighbours;
        this.worker = worker;
        this.workers = workers;
    }

    @Override
    protected void afterFrame(NodeContext ctx) {
        neighbours.flush(ctx, NEXT_OUTPUT, NEIGHBOUR_REASONS);
    }

    @Override
    protected int handle(NodeContext ctx, BufferPool pool, MemorySegment mem, int b) {
        long off = pool.dataOffset(b);
        int error = Arp.check(mem, off, pool.currentLength(b));
        if (error != WireError.OK) {
            return error - WireError.ARP_TOO_SHORT;
        }
        int rx = pool.rxInterface(b);
        int senderIp = Arp.senderIp(mem, off);
        if (senderIp != 0 && fib.interfaceOfLocal(senderIp) == rx) {
            return ADDRESS_CONFLICT;
        }
        boolean targetIsUs = fib.interfaceOfLocal(Arp.targetIp(mem, off)) == rx;
        if (senderIp != 0) {
            table.learn(rx, senderIp, Arp.senderMac(mem, off), targetIsUs, ctx.now());
        }
        if (workers > 1) {
            if ((pool.flags(b) & FLAG_REPLICA) != 0) {
                return REPLICA_LEARNED;
            }
            if (senderIp != 0) {
                replicate(ctx, pool, mem, b, off);
            }
        }
        if (Arp.operation(mem, off) == Arp.OP_REPLY) {
            return REPLY_RECEIVED;
        }
        if (!targetIsUs) {
            return senderIp == 0 ? PROBE : Arp.isGratuitous(mem, off) ? GRATUITOUS : REQUEST_NOT_FOR_US;
        }
        long mac = interfaces.get(rx).macAddress();
        Arp.turnRequestIntoReply(mem, off, mac);
        pool.advance(b, -Ethernet.HEADER_LENGTH);
        Ethernet.turnIntoReply(mem, off - Ethernet.HEADER_LENGTH, mac);
        pool.setTxInterface(b, rx);
        ctx.enqueue(NEXT_OUTPUT, b);
        return KEPT;
    }

    /**
     * Each worker has its own ARP table, and the kernel may deliver a neighbour's reply on a queue another worker
     * serves than the one whose packets wait for it: every worker gets a copy to learn from, through hand-off.
     */
    private void replicate(NodeContext ctx, BufferPool pool, MemorySegment mem, int b, long arpOffset) {
        long frame = arpOffset - Ethernet.HEADER_LENGTH;
        int length = Ethernet.HEADER_LENGTH + pool.currentLength(b);
        for (int target = 0; target < workers; target++) {
            if (target == worker) {
                continue;
            }
            int copy = ctx.cache().copyIn(mem, frame, length);
            if (copy == BufferPool.NO_BUFFER) {
                ctx.count(REPLICA_NO_BUFFER);
                continue;
            }
            pool.setFlags(copy, pool.flags(copy) | FLAG_REPLICA);
            pool.setRxInterface(copy, pool.rxInterface(b));
            Handoff.setTargetWorker(pool, copy, target);
            ctx.enqueue(NEXT_HANDOFF, copy);
        }
    }
}
