package io.sluice.core.l4;

import io.sluice.core.buffer.BufferPool;
import io.sluice.core.graph.InputNode;
import io.sluice.core.graph.NodeContext;
import io.sluice.core.graph.NodeError;
import io.sluice.core.wire.Ip4Address;
import io.sluice.core.wire.Ipv4;
import io.sluice.core.wire.Udp;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntUnaryOperator;

/**
 * "udp4-socket-output": polled every pass by one worker, it sends the datagrams applications queued on the sockets
 * that worker owns. Per datagram: a buffer from the worker's cache, the IPv4 header (source: the bound address, else
 * the one the routing table picks for the destination; none is a counted drop), the UDP header with its checksum,
 * the payload, then ip4-output.
 *
 * <p>The sockets are scanned in turn, starting one further each pass, so one busy socket cannot starve the others
 * within the poll budget. Scanning every owned socket is fine for the handful of sockets the tests and examples
 * bind; applications proper come through the session layer and its event queues.
 */
public final class UdpSocketOutputNode extends InputNode {

    /** The node's name. */
    public static final String NAME = "udp4-socket-output";

    static final int SENT = 0;
    static final int NO_ROUTE = 1;
    static final int NO_BUFFER = 2;

    static final List<NodeError> ERRORS = List.of(
            new NodeError("sent", "UDP datagrams sent from sockets"),
            new NodeError("no-route", "UDP datagram dropped: no source address for its destination (no route)"),
            new NodeError("no-buffer", "UDP datagram dropped: no packet buffer free"));

    private static final int NEXT_IP4_OUTPUT = 0;
    private static final int HEADERS = Ipv4.MIN_HEADER_LENGTH + Udp.HEADER_LENGTH;

    private final UdpSockets sockets;
    private final int worker;
    private final IntUnaryOperator sourceAddressFor;
    private int start;
    /** IPv4 identification of the next datagram; each worker starts at a random point so workers rarely collide. */
    private int identification = ThreadLocalRandom.current().nextInt();

    /**
     * @param sockets the stack's sockets
     * @param worker the worker this node runs on: it sends for the sockets this worker owns
     * @param sourceAddressFor the routing table's source address for a destination, 0 for no route
     */
    public UdpSocketOutputNode(UdpSockets sockets, int worker, IntUnaryOperator sourceAddressFor) {
        super(NAME, List.of("ip4-output"), ERRORS);
        this.sockets = sockets;
        this.worker = worker;
        this.sourceAddressFor = sourceAddressFor;
    }

    @Override
    public int poll(NodeContext ctx, int budget) {
        UdpSocket[] owned = sockets.ownedBy(worker);
        int count = owned.length;
        if (count == 0) {
            return 0;
        }
        start = start + 1 < count ? start + 1 : 0;
        int sent = 0;
        for (int k = 0; k < count && sent < budget; k++) {
            UdpSocket socket = owned[(start + k) % count];
            DatagramSlot slot;
            while (sent < budget && (slot = socket.pollTx()) != null) {
                send(ctx, socket, slot);
                sent++;
            }
        }
        return sent;
    }

    private void send(NodeContext ctx, UdpSocket socket, DatagramSlot slot) {
        if (socket.isClosed()) {
            socket.recycleTx(slot, false); // closed while this pass still had it in its list
            return;
        }
        int destination = slot.remoteAddress;
        int source = socket.localAddress() != Ip4Address.ANY ? socket.localAddress()
                : sourceAddressFor.applyAsInt(destination);
        if (source == Ip4Address.ANY) {
            ctx.count(NO_ROUTE);
            socket.recycleTx(slot, false);
            return;
        }
        int b = ctx.cache().allocate();
        if (b == BufferPool.NO_BUFFER) {
            ctx.count(NO_BUFFER);
            socket.recycleTx(slot, false);
            return;
        }
        BufferPool pool = ctx.pool();
        MemorySegment mem = pool.memory();
        long ip = pool.dataOffset(b);
        int length = slot.length;
        MemorySegment.copy(slot.payload, 0, mem, ValueLayout.JAVA_BYTE, ip + HEADERS, length);
        Udp.emit(mem, ip + Ipv4.MIN_HEADER_LENGTH, socket.localPort(), slot.remotePort, length, source, destination);
        Ipv4.emit(mem, ip, HEADERS + length, identification++ & 0xffff, false, Ipv4.DEFAULT_TTL, Ipv4.PROTOCOL_UDP,
                source, destination);
        pool.setCurrentLength(b, HEADERS + length);
        socket.recycleTx(slot, true);
        ctx.count(SENT);
        ctx.enqueue(NEXT_IP4_OUTPUT, b);
    }
}
