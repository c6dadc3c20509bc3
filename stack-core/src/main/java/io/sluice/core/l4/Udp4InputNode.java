package io.sluice.core.l4;

import io.sluice.core.buffer.BufferPool;
import io.sluice.core.graph.NodeContext;
import io.sluice.core.graph.NodeError;
import io.sluice.core.graph.PacketNode;
import io.sluice.core.wire.Icmp4;
import io.sluice.core.wire.Ipv4;
import io.sluice.core.wire.Udp;
import io.sluice.core.wire.WireError;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * "udp4-input": receives UDP datagrams for this host from ip4-input (current data at the IPv4 header, trimmed to the
 * total length), checks them ({@link Udp#check}: length against the IP payload, checksum over the pseudo-header, a
 * zero checksum accepted) and looks up the receiver of (destination address, port), then (any, port), in the
 * shared {@link UdpPortTable}:
 * <ul>
 *   <li>a {@link UdpSocket}: payload and sender are copied into the socket's queue and the buffer is freed at once
 *       ({@code delivered}, or a named drop when the queue is full);</li>
 *   <li>the {@link UdpEchoService}: the datagram is turned into its reply in place (addresses and ports swapped,
 *       TTL 64, UDP checksum recomputed) and sent to ip4-output; an echo to a broadcast or multicast address is not
 *       answered;</li>
 *   <li>nobody: counted as {@code no-listener} and handed to icmp4-error for a port unreachable (which applies the
 *       RFC 1122 rules and the rate limit).</li>
 * </ul>
 */
public final class Udp4InputNode extends PacketNode {

    /** The node's name. */
    public static final String NAME = "udp4-input";

    static final int TOO_SHORT = 0;
    static final int BAD_LENGTH = 1;
    static final int BAD_CHECKSUM = 2;
    static final int NOT_CONTIGUOUS = 3;
    static final int DELIVERED = 4;
    static final int ECHOED = 5;
    static final int ECHO_TO_BROADCAST = 6;
    static final int NO_LISTENER = 7;
    static final int QUEUE_FULL = 8;
    static final int SOCKET_CLOSED = 9;
    static final int TOO_BIG = 10;

    static final List<NodeError> ERRORS = List.of(
            NodeError.ofWireError(WireError.UDP_TOO_SHORT),
            NodeError.ofWireError(WireError.UDP_BAD_LENGTH),
            NodeError.ofWireError(WireError.UDP_BAD_CHECKSUM),
            new NodeError("not-contiguous", "UDP datagram not in one buffer (not supported yet)"),
            new NodeError("delivered", "UDP datagrams queued to a socket"),
            new NodeError("echo-replied", "UDP echo replies sent"),
            new NodeError("echo-to-broadcast", "UDP echo to a broadcast or multicast address not answered"),
            new NodeError("no-listener", "UDP datagram to a port nobody listens on (port unreachable)"),
            new NodeError("socket-queue-full", "UDP datagram dropped: socket receive queue full"),
            new NodeError("socket-closed", "UDP datagram dropped: socket closed while it arrived"),
            new NodeError("datagram-too-big", "UDP datagram dropped: larger than the socket's slots"));

    private static final int NEXT_IP4_OUTPUT = 0;
    private static final int NEXT_ICMP4_ERROR = 1;

    private final UdpPortTable ports;
    private final IntPredicate isLocalUnicast;

    /**
     * @param ports the shared port table
     * @param isLocalUnicast whether an address is one of this host's unicast addresses
     */
    public Udp4InputNode(UdpPortTable ports, IntPredicate isLocalUnicast) {
        super(NAME, List.of("ip4-output", Icmp4ErrorNode.NAME), ERRORS);
        this.ports = ports;
        this.isLocalUnicast = isLocalUnicast;
    }

    @Override
    protected int handle(NodeContext ctx, BufferPool pool, MemorySegment mem, int b) {
        long ip = pool.dataOffset(b);
        if (Ipv4.totalLength(mem, ip) > pool.currentLength(b)) {
            return NOT_CONTIGUOUS;
        }
        long udp = ip + Ipv4.headerLength(mem, ip);
        int source = Ipv4.source(mem, ip);
        int destination = Ipv4.destination(mem, ip);
        int check = Udp.check(mem, udp, Ipv4.payloadLength(mem, ip), source, destination, false);
        if (check != WireError.OK) {
            return reasonFor(check);
        }
        UdpReceiver receiver = ports.lookup(destination, Udp.destinationPort(mem, udp));
        if (receiver instanceof UdpSocket socket) {
            return deliver(ctx, mem, b, udp, source, socket);
        }
        if (receiver instanceof UdpEchoService) {
            return echo(ctx, pool, mem, b, ip, udp);
        }
        ctx.count(NO_LISTENER);
        Icmp4ErrorNode.request(pool, b, Icmp4.TYPE_DESTINATION_UNREACHABLE, Icmp4.CODE_PORT_UNREACHABLE, 0);
        ctx.enqueue(NEXT_ICMP4_ERROR, b);
        return KEPT;
    }

    private static int deliver(NodeContext ctx, MemorySegment mem, int b, long udp, int source, UdpSocket socket) {
        int result = socket.deliver(mem, udp + Udp.HEADER_LENGTH, Udp.length(mem, udp) - Udp.HEADER_LENGTH, source,
                Udp.sourcePort(mem, udp));
        return switch (result) {
            case UdpSocket.DELIVERED -> {
                ctx.count(DELIVERED);
                ctx.cache().freeChain(b); // consumed: the socket has its own copy
                yield KEPT;
            }
            case UdpSocket.QUEUE_FULL -> QUEUE_FULL;
            case UdpSocket.CLOSED -> SOCKET_CLOSED;
            default -> TOO_BIG;
        };
    }

    /** The echo reply in place: addresses and ports swapped, TTL 64, bytes beyond the UDP length cut. */
    private int echo(NodeContext ctx, BufferPool pool, MemorySegment mem, int b, long ip, long udp) {
        int destination = Ipv4.destination(mem, ip);
        if (!isLocalUnicast.test(destination)) {
            return ECHO_TO_BROADCAST;
        }
        int source = Ipv4.source(mem, ip);
        int udpLength = Udp.length(mem, udp);
        int totalLength = Ipv4.headerLength(mem, ip) + udpLength;
        if (totalLength != Ipv4.totalLength(mem, ip)) {
            Ipv4.setTotalLength(mem, ip, totalLength);
            pool.setCurrentLength(b, totalLength);
        }
        Ipv4.swapAddresses(mem, ip);
        Ipv4.setTtl(mem, ip, Ipv4.DEFAULT_TTL);
        Udp.emit(mem, udp, Udp.destinationPort(mem, udp), Udp.sourcePort(mem, udp),
                udpLength - Udp.HEADER_LENGTH, destination, source);
        ctx.count(ECHOED);
        ctx.enqueue(NEXT_IP4_OUTPUT, b);
        return KEPT;
    }

    private static int reasonFor(int wireError) {
        return switch (wireError) {
            case WireError.UDP_TOO_SHORT -> TOO_SHORT;
            case WireError.UDP_BAD_LENGTH -> BAD_LENGTH;
            default -> BAD_CHECKSUM;
        };
    }
}
