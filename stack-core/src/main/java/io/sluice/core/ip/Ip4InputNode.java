package io.sluice.core.ip;

import io.sluice.core.buffer.BufferPool;
import io.sluice.core.graph.NodeContext;
import io.sluice.core.graph.NodeError;
import io.sluice.core.graph.PacketNode;
import io.sluice.core.wire.Ip4Address;
import io.sluice.core.wire.Ipv4;
import io.sluice.core.wire.WireError;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * {@value #NAME}: IPv4 datagrams with current data at the IPv4 header (from ethernet-input, or looped back by
 * ip4-output with {@code rxInterface} set to the interface of the local address). Checks the header
 * ({@link Ipv4#check}: version, header length, total length within the bytes received, checksum, source), trims
 * link padding to the total length, and delivers datagrams for this host to their protocol's node with current
 * data still at the IPv4 header: ICMP to icmp4-input, UDP to udp4-input.
 *
 * <ul>
 * <li><b>For this host</b> means a local address on any interface (the weak host model of RFC 1122 §3.3.4.2, as
 *     Linux does), the limited broadcast, or a directed broadcast of the receiving interface's networks.</li>
 * <li><b>Host, not router:</b> anything else is dropped as {@code not-for-us}; Sluice never forwards.</li>
 * <li><b>TTL is not checked:</b> a host must not discard a datagram addressed to it because of its TTL
 *     (RFC 1122 §3.2.1.7); only forwarding checks it.</li>
 * <li><b>Fragments</b> are dropped and counted ({@code fragment-dropped}): reassembly is not built yet.</li>
 * <li>A datagram in several buffers must have its whole header in the first one and no link padding (devices
 *     deliver frames in one buffer; only loopback carries chains, and those are exact).</li>
 * </ul>
 */
public final class Ip4InputNode extends PacketNode {

    /** The node's name. */
    public static final String NAME = "ip4-input";

    static final int NEXT_ICMP = 0;
    static final int NEXT_UDP = 1;
    static final int NEXT_TCP = 2;

    // Reasons 0..5 are WireError.IP4_TOO_SHORT..IP4_BAD_SOURCE, in that order.
    static final int FRAGMENT = 6;
    static final int NOT_FOR_US = 7;
    static final int UNKNOWN_PROTOCOL = 8;
    static final int MULTICAST = 9;
    static final int HEADER_SPLIT = 10;
    static final int CHAINED_PADDING = 11;

    private static final List<NodeError> ERRORS = List.of(
            NodeError.ofWireError(WireError.IP4_TOO_SHORT),
            NodeError.ofWireError(WireError.IP4_BAD_VERSION),
            NodeError.ofWireError(WireError.IP4_BAD_HEADER_LENGTH),
            NodeError.ofWireError(WireError.IP4_BAD_TOTAL_LENGTH),
            NodeError.ofWireError(WireError.IP4_BAD_CHECKSUM),
            NodeError.ofWireError(WireError.IP4_BAD_SOURCE),
            new NodeError("fragment-dropped", "IPv4 fragment (reassembly not supported yet)"),
            new NodeError("not-for-us", "IPv4 destination is not this host (Sluice does not forward)"),
            new NodeError("unknown-protocol", "IPv4 protocol not handled"),
            new NodeError("multicast", "IPv4 multicast destination (not supported yet)"),
            new NodeError("header-split", "IPv4 header not within the first buffer"),
            new NodeError("chained-padding", "padding after an IPv4 datagram of several buffers"));

    private final Ip4Fib fib;

    public Ip4InputNode(Ip4Fib fib) {
        super(NAME, List.of(Ip4Layer.ICMP4_INPUT, Ip4Layer.UDP4_INPUT, Ip4Layer.TCP4_INPUT), ERRORS);
        this.fib = fib;
    }

    @Override
    protected int handle(NodeContext ctx, BufferPool pool, MemorySegment mem, int b) {
        long off = pool.dataOffset(b);
        int first = pool.currentLength(b);
        boolean chained = pool.nextBuffer(b) != BufferPool.NO_BUFFER;
        int available = first;
        if (chained) {
            if (first < Ipv4.MIN_HEADER_LENGTH || first < Ipv4.headerLength(mem, off)) {
                return HEADER_SPLIT;
            }
            available = pool.chainLength(b);
        }
        int error = Ipv4.check(mem, off, available, false);
        if (error == WireError.IP4_FRAGMENT) {
            return FRAGMENT;
        }
        if (error != WireError.OK) {
            return error - WireError.IP4_TOO_SHORT;
        }
        int total = Ipv4.totalLength(mem, off);
        if (total < available) {
            if (chained) {
                return CHAINED_PADDING;
            }
            pool.setCurrentLength(b, total);
        }
        int destination = Ipv4.destination(mem, off);
        if (!fib.isLocal(destination) && !fib.isBroadcast(pool.rxInterface(b), destination)) {
            return Ip4Address.isMulticast(destination) ? MULTICAST : NOT_FOR_US;
        }
        switch (Ipv4.protocol(mem, off)) {
            case Ipv4.PROTOCOL_ICMP -> ctx.enqueue(NEXT_ICMP, b);
            case Ipv4.PROTOCOL_UDP -> ctx.enqueue(NEXT_UDP, b);
            case Ipv4.PROTOCOL_TCP -> ctx.enqueue(NEXT_TCP, b);
            default -> {
                return UNKNOWN_PROTOCOL;
            }
        }
        return KEPT;
    }
}
