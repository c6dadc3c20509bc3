package io.sluice.core.l4;

import io.sluice.core.buffer.BufferPool;
import io.sluice.core.graph.NodeContext;
import io.sluice.core.graph.NodeError;
import io.sluice.core.graph.PacketNode;
import io.sluice.core.wire.Icmp4;
import io.sluice.core.wire.Ip4Address;
import io.sluice.core.wire.Ipv4;
import io.sluice.core.wire.Udp;
import io.sluice.core.wire.WireError;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * "icmp4-input": ICMP messages for this host from ip4-input (current data at the IPv4 header, trimmed to the total
 * length), checked with {@link Icmp4#check} (length, checksum, type and code, the quote of an error).
 * <ul>
 *   <li>Echo request: answered in place ({@link Icmp4#turnEchoRequestIntoReply}: addresses swapped, TTL 64, type 0,
 *       incremental checksums) and sent to ip4-output. A request to an address that is not one of our unicast
 *       addresses (255.255.255.255, a directed broadcast, multicast) is ignored as {@code echo-to-broadcast}, as
 *       Linux does by default ({@code icmp_echo_ignore_broadcasts=1}): answering broadcasts is how smurf
 *       amplification works, and the reply would need a source we own.</li>
 *   <li>Destination unreachable and time exceeded: counted by type and code under named reasons; when the quoted
 *       datagram is UDP from a bound socket, the socket is told ({@link UdpSocket#lastError()},
 *       {@link UdpSocket#icmpErrors()}; port unreachable is a kernel socket's {@code ECONNREFUSED}).</li>
 *   <li>Echo reply (no ping client yet) and other types: named, counted drops.</li>
 * </ul>
 */
public final class Icmp4InputNode extends PacketNode {

    /** The node's name. */
    public static final String NAME = "icmp4-input";

    static final int TOO_SHORT = 0;
    static final int BAD_CHECKSUM = 1;
    static final int UNKNOWN_TYPE = 2;
    static final int BAD_CODE = 3;
    static final int BAD_QUOTE = 4;
    static final int NOT_CONTIGUOUS = 5;
    static final int ECHO_REPLIED = 6;
    static final int ECHO_TO_BROADCAST = 7;
    static final int ECHO_REPLY_RECEIVED = 8;
    static final int UNREACHABLE_NET = 9;
    static final int UNREACHABLE_HOST = 10;
    static final int UNREACHABLE_PROTOCOL = 11;
    static final int UNREACHABLE_PORT = 12;
    static final int UNREACHABLE_FRAGMENTATION = 13;
    static final int UNREACHABLE_OTHER = 14;
    static final int TIME_EXCEEDED_TTL = 15;
    static final int TIME_EXCEEDED_REASSEMBLY = 16;
    static final int REPORTED_TO_SOCKET = 17;

    static final List<NodeError> ERRORS = List.of(
            NodeError.ofWireError(WireError.ICMP4_TOO_SHORT),
            NodeError.ofWireError(WireError.ICMP4_BAD_CHECKSUM),
            NodeError.ofWireError(WireError.ICMP4_UNKNOWN_TYPE),
            NodeError.ofWireError(WireError.ICMP4_BAD_CODE),
            NodeError.ofWireError(WireError.ICMP4_BAD_QUOTE),
            new NodeError("not-contiguous", "ICMP message not in one buffer (not supported yet)"),
            new NodeError("echo-replied", "ICMP echo replies sent"),
            new NodeError("echo-to-broadcast", "ICMP echo to a broadcast or multicast address ignored"),
            new NodeError("echo-reply", "ICMP echo reply received (no ping client)"),
            new NodeError("unreachable-net", "ICMP destination unreachable received: network"),
            new NodeError("unreachable-host", "ICMP destination unreachable received: host"),
            new NodeError("unreachable-protocol", "ICMP destination unreachable received: protocol"),
            new NodeError("unreachable-port", "ICMP destination unreachable received: port"),
            new NodeError("unreachable-fragmentation", "ICMP destination unreachable received: fragmentation needed"),
            new NodeError("unreachable-other", "ICMP destination unreachable received: other code"),
            new NodeError("time-exceeded-ttl", "ICMP time exceeded received: TTL exceeded in transit"),
            new NodeError("time-exceeded-reassembly", "ICMP time exceeded received: reassembly time exceeded"),
            new NodeError("reported-to-socket", "ICMP error reported to the UDP socket that sent the datagram"));

    private static final int NEXT_IP4_OUTPUT = 0;

    private final UdpPortTable ports;
    private final IntPredicate isLocalUnicast;

    /**
     * @param ports the shared UDP port table, to find the socket an error is about
     * @param isLocalUnicast whether an address is one of this host's unicast addresses
     */
    public Icmp4InputNode(UdpPortTable ports, IntPredicate isLocalUnicast) {
        super(NAME, List.of("ip4-output"), ERRORS);
        this.ports = ports;
        this.isLocalUnicast = isLocalUnicast;
    }

    @Override
    protected int handle(NodeContext ctx, BufferPool pool, MemorySegment mem, int b) {
        long ip = pool.dataOffset(b);
        if (Ipv4.totalLength(mem, ip) > pool.currentLength(b)) {
            return NOT_CONTIGUOUS;
        }
        long icmp = ip + Ipv4.headerLength(mem, ip);
        int check = Icmp4.check(mem, icmp, Ipv4.payloadLength(mem, ip), false);
        if (check != WireError.OK) {
            return reasonFor(check);
        }
        return switch (Icmp4.type(mem, icmp)) {
            case Icmp4.TYPE_ECHO_REQUEST -> echo(ctx, mem, b, ip);
            case Icmp4.TYPE_ECHO_REPLY -> ECHO_REPLY_RECEIVED;
            default -> {
                reportToSocket(ctx, mem, icmp);
                yield errorReason(Icmp4.type(mem, icmp), Icmp4.code(mem, icmp));
            }
        };
    }

    private int echo(NodeContext ctx, MemorySegment mem, int b, long ip) {
        int destination = Ipv4.destination(mem, ip);
        if (destination == Ip4Address.LIMITED_BROADCAST || !isLocalUnicast.test(destination)) {
            return ECHO_TO_BROADCAST;
        }
        Icmp4.turnEchoRequestIntoReply(mem, ip, Ipv4.DEFAULT_TTL);
        ctx.count(ECHO_REPLIED);
        ctx.enqueue(NEXT_IP4_OUTPUT, b);
        return KEPT;
    }

    /** Tells the UDP socket that sent the quoted datagram, if there is one. */
    private void reportToSocket(NodeContext ctx, MemorySegment mem, long icmp) {
        long quoted = Icmp4.quotedIp(icmp);
        if (Ipv4.protocol(mem, quoted) != Ipv4.PROTOCOL_UDP) {
            return; // TCP will be told here too
        }
        long udp = quoted + Ipv4.headerLength(mem, quoted); // the check guaranteed 8 bytes there
        UdpReceiver sender = ports.lookup(Ipv4.source(mem, quoted), Udp.sourcePort(mem, udp));
        if (sender instanceof UdpSocket socket) {
            socket.reportError(Icmp4.type(mem, icmp), Icmp4.code(mem, icmp), Ipv4.destination(mem, quoted),
                    Udp.destinationPort(mem, udp));
            ctx.count(REPORTED_TO_SOCKET);
        }
    }

    /** The reason an error message of {@code type} and {@code code} is counted under (the check allowed both). */
    private static int errorReason(int type, int code) {
        if (type == Icmp4.TYPE_TIME_EXCEEDED) {
            return code == Icmp4.CODE_TTL_EXCEEDED ? TIME_EXCEEDED_TTL : TIME_EXCEEDED_REASSEMBLY;
        }
        return switch (code) {
            case Icmp4.CODE_NET_UNREACHABLE -> UNREACHABLE_NET;
            case Icmp4.CODE_HOST_UNREACHABLE -> UNREACHABLE_HOST;
            case Icmp4.CODE_PROTOCOL_UNREACHABLE -> UNREACHABLE_PROTOCOL;
            case Icmp4.CODE_PORT_UNREACHABLE -> UNREACHABLE_PORT;
            case Icmp4.CODE_FRAGMENTATION_NEEDED -> UNREACHABLE_FRAGMENTATION;
            default -> UNREACHABLE_OTHER;
        };
    }

    private static int reasonFor(int wireError) {
        return switch (wireError) {
            case WireError.ICMP4_TOO_SHORT -> TOO_SHORT;
            case WireError.ICMP4_BAD_CHECKSUM -> BAD_CHECKSUM;
            case WireError.ICMP4_BAD_CODE -> BAD_CODE;
            case WireError.ICMP4_BAD_QUOTE -> BAD_QUOTE;
            default -> UNKNOWN_TYPE;
        };
    }
}
