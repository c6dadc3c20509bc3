package io.sluice.core.ip;

import io.sluice.core.buffer.BufferLayout;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.graph.NodeContext;
import io.sluice.core.graph.NodeError;
import io.sluice.core.graph.PacketNode;
import io.sluice.core.iface.Interface;
import io.sluice.core.iface.InterfaceTable;
import io.sluice.core.wire.Ip4Address;
import io.sluice.core.wire.Ipv4;
import io.sluice.core.wire.MacAddress;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * {@value #NAME}: IPv4 datagrams built by this host (current data at a complete header, checksum valid, TTL set)
 * on their way out. Looks the destination up in the {@link Ip4Fib}: one of our own addresses loops back to
 * ip4-input (with {@code rxInterface} set to that address's interface; no ARP, no device); the limited broadcast
 * (sent on the interface of the source address) and a directed broadcast of a connected network go to the
 * Ethernet broadcast address; anything else goes to its next hop, whose MAC the worker's {@link ArpTable}
 * resolves: known, the Ethernet header is prepended and the frame goes to interface-output; unknown, the table
 * keeps the packet and the first miss sends an ARP request.
 *
 * <p>A datagram longer than the interface's MTU is dropped ({@code mtu-exceeded}): this host does not fragment on
 * output; TCP keeps within the MSS and UDP senders within the MTU. Multicast output is not supported yet.
 */
public final class Ip4OutputNode extends PacketNode {

    /** The node's name. */
    public static final String NAME = "ip4-output";

    static final int NEXT_OUTPUT = 0;
    static final int NEXT_IP4_INPUT = 1;

    static final int NO_ROUTE = 0;
    static final int MTU_EXCEEDED = 1;
    static final int INTERFACE_DOWN = 2;
    static final int MULTICAST = 3;
    static final int NEIGHBOUR_REASONS = 4;

    private static final List<NodeError> ERRORS = Ip4Neighbours.withNeighbourErrors(List.of(
            new NodeError("no-route", "no route to the destination"),
            new NodeError("mtu-exceeded", "datagram longer than the interface MTU (no fragmentation on output)"),
            new NodeError("interface-down", "outgoing interface is down"),
            new NodeError("multicast", "IPv4 multicast output (not supported yet)")));

    private final InterfaceTable interfaces;
    private final Ip4Fib fib;
    private final ArpTable table;
    private final Ip4Neighbours neighbours;

    public Ip4OutputNode(InterfaceTable interfaces, Ip4Fib fib, ArpTable table, Ip4Neighbours neighbours) {
        super(NAME, List.of(Ip4Layer.INTERFACE_OUTPUT, Ip4InputNode.NAME), ERRORS);
        this.interfaces = interfaces;
        this.fib = fib;
        this.table = table;
        this.neighbours = neighbours;
    }

    @Override
    protected int handle(NodeContext ctx, BufferPool pool, MemorySegment mem, int b) {
        long off = pool.dataOffset(b);
        int destination = Ipv4.destination(mem, off);
        if (Ip4Address.isMulticast(destination)) {
            return MULTICAST;
        }
        int ifIndex;
        int nextHop = destination;
        boolean broadcast;
        if (destination == Ip4Address.LIMITED_BROADCAST) {
            ifIndex = fib.interfaceOfLocal(Ipv4.source(mem, off));
            if (ifIndex < 0) {
                return NO_ROUTE;
            }
            broadcast = true;
        } else {
            long route = fib.lookup(destination);
            if (route == Ip4Fib.NO_ROUTE) {
                return NO_ROUTE;
            }
            ifIndex = Ip4Fib.ifIndex(route);
            if (Ip4Fib.type(route) == Ip4Fib.LOCAL) {
                pool.setRxInterface(b, ifIndex);
                int flags = pool.flags(b);
                if ((flags & BufferLayout.FLAG_L4_CHECKSUM_PARTIAL) != 0) {
                    // Delivered to ourselves: nothing can corrupt it, so the partial checksum stands as verified.
                    pool.setFlags(b, flags | BufferLayout.FLAG_L4_CHECKSUM_VERIFIED);
                }
                ctx.enqueue(NEXT_IP4_INPUT, b);
                return KEPT;
            }
            nextHop = Ip4Fib.nextHop(route);
            broadcast = Ip4Fib.type(route) == Ip4Fib.CONNECTED && fib.isBroadcast(ifIndex, destination);
        }
        Interface itf = interfaces.get(ifIndex);
        if (itf == null || !itf.isAdminUp()) {
            return INTERFACE_DOWN;
        }
        if (Ipv4.totalLength(mem, off) > itf.mtu()) {
            return MTU_EXCEEDED;
        }
        if (broadcast) {
            neighbours.sendIp4(ctx, NEXT_OUTPUT, NEIGHBOUR_REASONS, ifIndex, b, MacAddress.BROADCAST);
            return KEPT;
        }
        long result = table.resolve(ifIndex, nextHop, b, ctx.now());
        if (ArpTable.isResolved(result)) {
            long mac = ArpTable.mac(result);
            neighbours.sendIp4(ctx, NEXT_OUTPUT, NEIGHBOUR_REASONS, ifIndex, b, mac);
            if (ArpTable.needsPoll(result)) {
                neighbours.sendRequest(ctx, NEXT_OUTPUT, NEIGHBOUR_REASONS, ifIndex, nextHop, mac);
            }
            return KEPT;
        }
        if (result == ArpTable.PENDING_SEND_REQUEST) {
            neighbours.sendRequest(ctx, NEXT_OUTPUT, NEIGHBOUR_REASONS, ifIndex, nextHop, MacAddress.BROADCAST);
            return KEPT;
        }
        if (result == ArpTable.PENDING) {
            return KEPT;
        }
        return NEIGHBOUR_REASONS + ArpTable.dropReason(result).ordinal();
    }
}
