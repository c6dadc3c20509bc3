package io.sluice.core.l4;

import io.sluice.core.buffer.BufferLayout;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.graph.NodeContext;
import io.sluice.core.graph.NodeError;
import io.sluice.core.graph.PacketNode;
import io.sluice.core.wire.Icmp4;
import io.sluice.core.wire.Ip4Address;
import io.sluice.core.wire.Ipv4;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntPredicate;

/**
 * "icmp4-error": turns an offending datagram into the ICMP error about it, in place, and sends it to ip4-output. Any
 * node that refuses a datagram (udp4-input for a port nobody listens on; TCP later) writes the error's type and code
 * with {@link #request} and enqueues the buffer here, its current data at the offending IPv4 header.
 *
 * <p>The error's ICMP header and a new IPv4 header are prepended into the headroom, in front of the offending
 * header, so the quote (that header and 8 bytes of its payload, RFC 792) is already where it belongs and the rest
 * of the datagram is cut off. Source: the address the datagram was sent to (checked to be ours); destination: its
 * source; TTL 64.
 *
 * <p>Not sent (RFC 1122 §3.2.2), each a named drop: about an ICMP error message; about a datagram sent to a
 * broadcast or multicast address (anything that is not one of our unicast addresses); about a datagram whose source
 * is not a single host (zero, broadcast, multicast, loopback, class E); about a fragment other than the first.
 * Above the rate limit (a token bucket per worker, by default {@value #DEFAULT_RATE_PER_SECOND}/s with a burst of
 * {@value #DEFAULT_BURST}: Linux's {@code icmp_msgs_per_sec} and {@code icmp_msgs_burst}) the error is dropped as
 * {@code rate-limited}, so a scan or a flood cannot make the stack send as fast as it receives.
 */
public final class Icmp4ErrorNode extends PacketNode {

    /** The node's name. */
    public static final String NAME = "icmp4-error";
    /** Errors per second per worker by default. */
    public static final int DEFAULT_RATE_PER_SECOND = 1000;
    /** Errors a worker sends at once after a quiet period by default. */
    public static final int DEFAULT_BURST = 50;

    static final int SENT = 0;
    static final int RATE_LIMITED = 1;
    static final int ABOUT_ICMP_ERROR = 2;
    static final int ABOUT_GROUP_DESTINATION = 3;
    static final int ABOUT_BAD_SOURCE = 4;
    static final int ABOUT_FRAGMENT = 5;
    static final int NO_HEADROOM = 6;

    static final List<NodeError> ERRORS = List.of(
            new NodeError("sent", "ICMP errors sent"),
            new NodeError("rate-limited", "ICMP error not sent: above the worker's rate limit"),
            new NodeError("about-icmp-error", "ICMP error not sent: the datagram is itself an ICMP error"),
            new NodeError("about-broadcast", "ICMP error not sent: datagram to a broadcast or multicast address"),
            new NodeError("about-bad-source", "ICMP error not sent: datagram source is not a single host"),
            new NodeError("about-fragment", "ICMP error not sent: datagram is a non-initial fragment"),
            new NodeError("no-headroom", "ICMP error not sent: no headroom to prepend its headers"));

    private static final int NEXT_IP4_OUTPUT = 0;
    /** What the error puts in front of the quote: a new IPv4 header and the ICMP header. */
    private static final int PREPENDED = Ipv4.MIN_HEADER_LENGTH + Icmp4.HEADER_LENGTH;
    private static final long REQUEST_TYPE = 0;
    private static final long REQUEST_CODE = 1;
    private static final long REQUEST_REST = 4;

    /**
     * The query types (RFC 792, 950, 1256: echo reply 0, echo 8, router advertisement 9 and solicitation 10,
     * timestamp 13-14, information 15-16, address mask 17-18) as bits: an error about one of these may be sent.
     */
    private static final long QUERY_TYPES = 1L << Icmp4.TYPE_ECHO_REPLY | 1L << Icmp4.TYPE_ECHO_REQUEST | 1L << 9
            | 1L << 10 | 1L << 13 | 1L << 14 | 1L << 15 | 1L << 16 | 1L << 17 | 1L << 18;

    private final IntPredicate isLocalUnicast;
    private final TokenBucket limit;
    /** IPv4 identification of the next datagram; each worker starts at a random point so workers rarely collide. */
    private int identification = ThreadLocalRandom.current().nextInt();

    /**
     * @param isLocalUnicast whether an address is one of this host's unicast addresses
     * @param limit this worker's rate limit for errors
     */
    public Icmp4ErrorNode(IntPredicate isLocalUnicast, TokenBucket limit) {
        super(NAME, List.of("ip4-output"), ERRORS);
        this.isLocalUnicast = isLocalUnicast;
        this.limit = limit;
    }

    /**
     * Writes into {@code buffer}'s opaque area the error icmp4-error should send about it: {@code type},
     * {@code code} and bytes 4..7 of the ICMP header ({@code restOfHeader}: 0, or the next-hop MTU for
     * "fragmentation needed").
     */
    public static void request(BufferPool pool, int buffer, int type, int code, int restOfHeader) {
        MemorySegment mem = pool.memory();
        long opaque = pool.opaqueOffset(buffer);
        mem.set(ValueLayout.JAVA_BYTE, opaque + REQUEST_TYPE, (byte) type);
        mem.set(ValueLayout.JAVA_BYTE, opaque + REQUEST_CODE, (byte) code);
        mem.set(ValueLayout.JAVA_INT, opaque + REQUEST_REST, restOfHeader);
    }

    @Override
    protected int handle(NodeContext ctx, BufferPool pool, MemorySegment mem, int b) {
        int reason = refusal(pool, mem, b, ctx.now());
        if (reason != SENT) {
            return reason;
        }
        buildError(ctx, pool, mem, b);
        ctx.count(SENT);
        ctx.enqueue(NEXT_IP4_OUTPUT, b);
        return KEPT;
    }

    /** Why no error may be sent about buffer {@code b}, or {@link #SENT} if one may. */
    private int refusal(BufferPool pool, MemorySegment mem, int b, long now) {
        long ip = pool.dataOffset(b);
        if (!isLocalUnicast.test(Ipv4.destination(mem, ip))) {
            return ABOUT_GROUP_DESTINATION;
        }
        if (!isSingleHost(Ipv4.source(mem, ip))) {
            return ABOUT_BAD_SOURCE;
        }
        if (Ipv4.fragmentOffset(mem, ip) != 0) {
            return ABOUT_FRAGMENT;
        }
        if (Ipv4.protocol(mem, ip) == Ipv4.PROTOCOL_ICMP && isIcmpError(pool, mem, b, ip)) {
            return ABOUT_ICMP_ERROR;
        }
        if (pool.prependSpace(b) < PREPENDED) {
            return NO_HEADROOM;
        }
        return limit.tryTake(now) ? SENT : RATE_LIMITED;
    }

    /** Whether the ICMP message in the datagram is an error (or too short to tell, which gets no answer either). */
    private static boolean isIcmpError(BufferPool pool, MemorySegment mem, int b, long ip) {
        int headerLength = Ipv4.headerLength(mem, ip);
        if (Ipv4.payloadLength(mem, ip) < 1 || pool.currentLength(b) <= headerLength) {
            return true;
        }
        int type = Icmp4.type(mem, ip + headerLength);
        return type >= Long.SIZE || (QUERY_TYPES >>> type & 1) == 0; // unknown types: never answer with an error
    }

    /** RFC 1122 §3.2.2: a source that names one host (not 0, broadcast, multicast, loopback or class E). */
    static boolean isSingleHost(int address) {
        return address != Ip4Address.ANY && !Ip4Address.isMulticast(address) && !Ip4Address.isLoopback(address)
                && (address >>> 28) != 0xf;
    }

    private void buildError(NodeContext ctx, BufferPool pool, MemorySegment mem, int b) {
        long ip = pool.dataOffset(b);
        int quote = Math.min(Icmp4.quoteLength(mem, ip), pool.currentLength(b));
        int offendingSource = Ipv4.source(mem, ip);
        int offendingDestination = Ipv4.destination(mem, ip);
        long opaque = pool.opaqueOffset(b);
        int type = mem.get(ValueLayout.JAVA_BYTE, opaque + REQUEST_TYPE) & 0xff;
        int code = mem.get(ValueLayout.JAVA_BYTE, opaque + REQUEST_CODE) & 0xff;
        int rest = mem.get(ValueLayout.JAVA_INT, opaque + REQUEST_REST);
        cutChainAfter(ctx, pool, b);
        pool.advance(b, -PREPENDED);
        long error = pool.dataOffset(b);
        Icmp4.emitError(mem, error + Ipv4.MIN_HEADER_LENGTH, type, code, rest, mem, ip, quote);
        Ipv4.emit(mem, error, PREPENDED + quote, identification++ & 0xffff, false, Ipv4.DEFAULT_TTL,
                Ipv4.PROTOCOL_ICMP, offendingDestination, offendingSource);
        pool.setCurrentLength(b, PREPENDED + quote);
    }

    /** The error quotes from the first buffer only: the rest of a chain is freed. */
    private static void cutChainAfter(NodeContext ctx, BufferPool pool, int b) {
        int next = pool.nextBuffer(b);
        if (next != BufferPool.NO_BUFFER) {
            pool.setFlags(b, pool.flags(b) & ~(BufferLayout.FLAG_NEXT_PRESENT | BufferLayout.FLAG_TOTAL_LENGTH_VALID));
            ctx.cache().freeChain(next);
        }
    }
}
