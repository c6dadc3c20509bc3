package io.sluice.core.tcp.layer;

import io.sluice.core.buffer.BufferLayout;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.engine.FlowSteering;
import io.sluice.core.engine.Handoff;
import io.sluice.core.engine.HandoffNode;
import io.sluice.core.graph.NodeContext;
import io.sluice.core.graph.NodeError;
import io.sluice.core.graph.PacketNode;
import io.sluice.core.wire.Ethernet;
import io.sluice.core.wire.Ipv4;
import io.sluice.core.tcp.conn.TcpConnection;
import io.sluice.core.tcp.conn.TcpSettings;
import io.sluice.core.tcp.conn.TcpState;
import io.sluice.core.tcp.syn.SynCookies;
import io.sluice.core.wire.Tcp;
import io.sluice.core.wire.TcpOptions;
import io.sluice.core.wire.WireError;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * "tcp4-input": segments for this host from ip4-input (current data at the IPv4 header). Per segment, in order:
 * <ol>
 *   <li>checks: one buffer ({@code not-contiguous} otherwise), a unicast local destination, {@link Tcp#check}
 *       (length, data offset, checksum, SYN+FIN) and the options ({@code wire.TcpOptions}) — a failure is a named
 *       drop before anything is looked up;</li>
 *   <li>the owner: a segment whose 4-tuple hashes to another worker is handed off to it untouched;</li>
 *   <li>the connection table: a segment of a known connection goes to its state machine, its payload straight
 *       into the connection's receive buffer, and the packet buffer is freed;</li>
 *   <li>else a listener: a SYN opens a connection in SYN-RECEIVED (bounded by the SYN queue and the worker's
 *       table); an ACK or other segment gets a reset, a RST is dropped (RFC 9293 §3.10.7.2);</li>
 *   <li>else the port is closed: a reset built in place from the segment (RFC 9293 §3.10.7.1), never for a RST.</li>
 * </ol>
 */
public final class Tcp4InputNode extends PacketNode {

    /** The node's name. */
    public static final String NAME = "tcp4-input";

    static final int TOO_SHORT = 0;
    static final int BAD_DATA_OFFSET = 1;
    static final int BAD_CHECKSUM = 2;
    static final int BAD_FLAGS = 3;
    static final int OPTION_TRUNCATED = 4;
    static final int OPTION_BAD_LENGTH = 5;
    static final int OPTION_WRONG_LENGTH = 6;
    static final int OPTION_DUPLICATE = 7;
    static final int NOT_CONTIGUOUS = 8;
    static final int NOT_UNICAST = 9;
    static final int DELIVERED = 10;
    static final int HANDED_OFF = 11;
    static final int RESET_SENT = 12;
    static final int RST_NO_CONNECTION = 13;
    static final int SYN_QUEUE_FULL = 14;
    static final int TOO_MANY_CONNECTIONS = 15;
    static final int NO_BUFFERS = 16;
    static final int LISTENER_IGNORED = 17;
    static final int COOKIE_SENT = 18;
    static final int COOKIE_VALIDATED = 19;
    static final int ACCEPT_QUEUE_FULL = 20;

    static final List<NodeError> ERRORS = List.of(
            NodeError.ofWireError(WireError.TCP_TOO_SHORT),
            NodeError.ofWireError(WireError.TCP_BAD_DATA_OFFSET),
            NodeError.ofWireError(WireError.TCP_BAD_CHECKSUM),
            NodeError.ofWireError(WireError.TCP_BAD_FLAGS),
            NodeError.ofWireError(WireError.TCP_OPTION_TRUNCATED),
            NodeError.ofWireError(WireError.TCP_OPTION_BAD_LENGTH),
            NodeError.ofWireError(WireError.TCP_OPTION_WRONG_LENGTH),
            NodeError.ofWireError(WireError.TCP_OPTION_DUPLICATE),
            new NodeError("not-contiguous", "TCP segment not in one buffer (not supported yet)"),
            new NodeError("not-unicast", "TCP segment to a broadcast or multicast address"),
            new NodeError("delivered", "TCP segments processed by a connection or listener"),
            new NodeError("handed-off", "TCP segments handed to the worker that owns their connection"),
            new NodeError("reset-sent", "resets sent for segments to a closed port or an unknown connection"),
            new NodeError("rst-no-connection", "RST for no connection dropped"),
            new NodeError("syn-queue-full", "SYN dropped: the listener's SYN queue is full"),
            new NodeError("too-many-connections", "SYN dropped: the worker holds its maximum of connections"),
            new NodeError("no-buffers", "SYN dropped: the listener's buffer factory had none"),
            new NodeError("listener-ignored", "segment without SYN or ACK to a listener dropped"),
            new NodeError("cookie-sent", "SYN answered with a SYN cookie: the listener's SYN queue is full"),
            new NodeError("cookie-validated", "ACK with a valid SYN cookie made a connection"),
            new NodeError("accept-queue-full", "cookie ACK dropped: the listener's accept queue is full"));

    private static final int NEXT_IP4_OUTPUT = 0;
    private static final int NEXT_HANDOFF = 1;

    private final TcpLayer layer;
    private final TcpWorker worker;
    private final int self;
    private final int workers;

    public Tcp4InputNode(TcpLayer layer, int worker) {
        // The hand-off edge only where there is another worker (a one-worker graph may have no hand-off node).
        super(NAME, layer.workerCount() > 1 ? List.of("ip4-output", HandoffNode.NAME) : List.of("ip4-output"), ERRORS);
        this.layer = layer;
        this.worker = layer.worker(worker);
        this.self = worker;
        this.workers = layer.workerCount();
    }

    @Override
    protected int handle(NodeContext ctx, BufferPool pool, MemorySegment mem, int b) {
        long ip = pool.dataOffset(b);
        if (Ipv4.totalLength(mem, ip) > pool.currentLength(b)) {
            return NOT_CONTIGUOUS;
        }
        int source = Ipv4.source(mem, ip);
        int destination = Ipv4.destination(mem, ip);
        if (!layer.isLocal(destination)) {
            return NOT_UNICAST;
        }
        long tcp = ip + Ipv4.headerLength(mem, ip);
        int length = Ipv4.payloadLength(mem, ip);
        int check = Tcp.check(mem, tcp, length, source, destination,
                (pool.flags(b) & BufferLayout.FLAG_L4_CHECKSUM_VERIFIED) != 0);
        if (check != WireError.OK) {
            return check - WireError.TCP_TOO_SHORT;
        }
        int sourcePort = Tcp.sourcePort(mem, tcp);
        int destinationPort = Tcp.destinationPort(mem, tcp);
        if (workers > 1) {
            int owner = FlowSteering.workerOf(destination, destinationPort, source, sourcePort, workers);
            if (owner != self) {
                pool.advance(b, -Ethernet.HEADER_LENGTH); // re-enters at ethernet-input on the owner
                Handoff.setTargetWorker(pool, b, owner);
                ctx.count(HANDED_OFF);
                ctx.enqueue(NEXT_HANDOFF, b);
                return KEPT;
            }
        }
        int optionsError = worker.options().parseSegment(mem, tcp);
        if (optionsError != WireError.OK) {
            return optionsError - WireError.TCP_TOO_SHORT;
        }
        worker.bind(ctx, NEXT_IP4_OUTPUT);
        int flags = Tcp.flags(mem, tcp);
        int seq = Tcp.sequence(mem, tcp);
        int ack = Tcp.acknowledgment(mem, tcp);
        int window = Tcp.window(mem, tcp);
        int headerLength = Tcp.headerLength(mem, tcp);
        TcpFlow flow = worker.lookup(destination, destinationPort, source, sourcePort);
        if (flow != null && (flags & (Tcp.SYN | Tcp.ACK | Tcp.RST)) == Tcp.SYN
                && flow.connection.state() == TcpState.TIME_WAIT
                && layer.listenerFor(destination, destinationPort) != null && worker.reuseTimeWait(flow, seq)) {
            flow = null; // the old connection is gone: the listener takes the SYN
        }
        if (flow != null) {
            worker.segment(flow, ctx.now(), flags, seq, ack, window, mem, tcp + headerLength, length - headerLength);
            ctx.count(DELIVERED);
            ctx.cache().freeChain(b);
            return KEPT;
        }
        TcpListener listener = layer.listenerFor(destination, destinationPort);
        if (listener != null && (flags & (Tcp.SYN | Tcp.ACK | Tcp.RST)) == Tcp.SYN
                && listener.floodGuard().useCookie(ctx.now(), listener.synQueueLength(), listener.synQueueLimit())) {
            replyCookie(ctx, pool, mem, b, ip, tcp, listener, seq, source, destination, sourcePort, destinationPort);
            return KEPT;
        }
        if (listener != null && (flags & (Tcp.SYN | Tcp.ACK | Tcp.RST)) == Tcp.ACK
                && listener.floodGuard().acceptsCookies(ctx.now())) {
            int result = worker.cookieOpen(listener, ctx.now(), layer.mtuOf(pool.rxInterface(b)), destination,
                    destinationPort, source, sourcePort, flags, seq, ack, window, mem, tcp + headerLength,
                    length - headerLength);
            switch (result) {
                case TcpWorker.OPENED -> {
                    ctx.count(COOKIE_VALIDATED);
                    ctx.cache().freeChain(b);
                    return KEPT;
                }
                case TcpWorker.ACCEPT_QUEUE_FULL -> {
                    return ACCEPT_QUEUE_FULL;
                }
                case TcpWorker.WORKER_FULL -> {
                    return TOO_MANY_CONNECTIONS;
                }
                case TcpWorker.NO_BUFFERS -> {
                    return NO_BUFFERS;
                }
                default -> { } // not a cookie of ours: answered with a reset below, as any stray ACK
            }
        }
        if (listener != null && (flags & (Tcp.SYN | Tcp.ACK | Tcp.RST)) == Tcp.SYN) {
            int result = worker.passiveOpen(listener, ctx.now(), layer.mtuOf(pool.rxInterface(b)), destination,
                    destinationPort, source, sourcePort, seq, window);
            if (result != TcpWorker.OPENED) {
                return switch (result) {
                    case TcpWorker.SYN_QUEUE_FULL -> SYN_QUEUE_FULL;
                    case TcpWorker.WORKER_FULL -> TOO_MANY_CONNECTIONS;
                    default -> NO_BUFFERS;
                };
            }
            ctx.count(DELIVERED);
            ctx.cache().freeChain(b);
            return KEPT;
        }
        if ((flags & Tcp.RST) != 0) {
            return RST_NO_CONNECTION;
        }
        if (listener != null && (flags & (Tcp.SYN | Tcp.ACK)) == 0) {
            return LISTENER_IGNORED; // RFC 9293 §3.10.7.2: neither SYN nor ACK nor RST: drop
        }
        replyReset(ctx, pool, mem, b, ip, tcp, length - headerLength, flags, seq, ack, source, destination,
                sourcePort, destinationPort);
        return KEPT;
    }

    /**
     * Turns the SYN into a SYN-ACK whose ISS is a SYN cookie, in place, keeping no state (RFC 4987 §3.6). The
     * cookie holds the peer's MSS; with timestamps, the low bits of our TSval hold the peer's window shift and
     * SACK-permitted, so the connection made from the ACK gets them back. Without timestamps the connection does
     * without window scaling and SACK — the classic trade-off of cookies, paid only while the queue is full.
     */
    private void replyCookie(NodeContext ctx, BufferPool pool, MemorySegment mem, int b, long ip, long tcp,
            TcpListener listener, int seq, int source, int destination, int sourcePort, int destinationPort) {
        TcpOptions opts = worker.options();
        long now = ctx.now();
        TcpSettings settings = layer.settingsFor(layer.mtuOf(pool.rxInterface(b)));
        int peerMss = opts.hasMss() ? opts.mss() : TcpOptions.DEFAULT_MSS;
        int iss = layer.cookies().encode(now, destination, destinationPort, source, sourcePort, seq, peerMss);
        boolean timestamps = settings.timestamps() && opts.hasTimestamps();
        boolean scaling = timestamps && settings.windowScaling() && opts.hasWindowScale();
        boolean sack = timestamps && settings.sack() && opts.sackPermitted();
        int tsval = timestamps ? SynCookies.encodeTimestamp(TcpConnection.timestampValue(now, iss),
                scaling ? opts.windowShift() : TcpOptions.NO_WINDOW_SCALE, sack) : 0;
        int tsecr = timestamps ? opts.timestampValue() : 0;
        long out = ip + Ipv4.MIN_HEADER_LENGTH;
        int ourShift = scaling ? TcpConnection.windowShiftFor(listener.factory().receiveCapacity())
                : TcpOptions.NO_WINDOW_SCALE;
        int optionsLength = TcpOptions.emitSyn(mem, out + Tcp.MIN_HEADER_LENGTH, settings.mss(), ourShift, sack,
                timestamps, tsval, tsecr);
        Tcp.emit(mem, out, destinationPort, sourcePort, iss, seq + 1, Tcp.SYN | Tcp.ACK,
                TcpWorker.synAckWindow(listener), optionsLength, 0, destination, source);
        int total = Ipv4.MIN_HEADER_LENGTH + Tcp.MIN_HEADER_LENGTH + optionsLength;
        Ipv4.emit(mem, ip, total, 0, true, Ipv4.DEFAULT_TTL, Ipv4.PROTOCOL_TCP, destination, source);
        pool.setCurrentLength(b, total);
        worker.count(TcpCounter.COOKIES_SENT);
        worker.count(TcpCounter.SEGMENTS_SENT);
        ctx.count(COOKIE_SENT);
        ctx.enqueue(NEXT_IP4_OUTPUT, b);
    }

    /**
     * Turns the segment into the reset RFC 9293 §3.10.7.1 asks for, in place: with ACK, {@code <SEQ=SEG.ACK>
     * <CTL=RST>}; without, {@code <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>}.
     */
    private void replyReset(NodeContext ctx, BufferPool pool, MemorySegment mem, int b, long ip, long tcp,
            int payloadLength, int flags, int seq, int ack, int source, int destination, int sourcePort,
            int destinationPort) {
        int resetSeq;
        int resetAck;
        int resetFlags;
        if ((flags & Tcp.ACK) != 0) {
            resetSeq = ack;
            resetAck = 0;
            resetFlags = Tcp.RST;
        } else {
            resetSeq = 0;
            resetAck = seq + payloadLength + ((flags & Tcp.SYN) != 0 ? 1 : 0) + ((flags & Tcp.FIN) != 0 ? 1 : 0);
            resetFlags = Tcp.RST | Tcp.ACK;
        }
        long out = ip + Ipv4.MIN_HEADER_LENGTH; // any IP options are dropped: the reply carries none
        Tcp.emit(mem, out, destinationPort, sourcePort, resetSeq, resetAck, resetFlags, 0, 0, 0, destination, source);
        Ipv4.emit(mem, ip, Ipv4.MIN_HEADER_LENGTH + Tcp.MIN_HEADER_LENGTH, 0, true, Ipv4.DEFAULT_TTL,
                Ipv4.PROTOCOL_TCP, destination, source);
        pool.setCurrentLength(b, Ipv4.MIN_HEADER_LENGTH + Tcp.MIN_HEADER_LENGTH);
        worker.count(TcpCounter.RESETS_SENT);
        ctx.count(RESET_SENT);
        ctx.enqueue(NEXT_IP4_OUTPUT, b);
    }
}
