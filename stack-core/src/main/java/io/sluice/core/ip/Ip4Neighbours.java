package io.sluice.core.ip;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.graph.NodeContext;
import io.sluice.core.graph.NodeError;
import io.sluice.core.iface.Interface;
import io.sluice.core.iface.InterfaceTable;
import io.sluice.core.wire.Arp;
import io.sluice.core.wire.Ethernet;
import io.sluice.core.wire.MacAddress;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One worker's link between its {@link ArpTable} and the graph: it receives the table's {@link NeighbourEvents}
 * (which may come from a timer expiry, outside any node) into a bounded queue, and a node that has a
 * {@link NodeContext} flushes the queue ({@link #flush}): released packets get their Ethernet header and go to
 * interface-output, failed ones are dropped with their reason, requested ARP requests are built and sent. So
 * everything the neighbour layer sends passes through a node and is counted there. arp-input flushes after each
 * frame (so packets a reply releases leave before later packets to the same neighbour), and the input node
 * ip4-neighbour flushes on every pass of the worker loop (timer work) and sends gratuitous ARPs.
 *
 * <p>It also holds the Ethernet and ARP emitters the IPv4 nodes share: {@link #sendIp4} (prepend the header of an
 * IPv4 packet) and {@link #sendRequest}.
 *
 * <p><b>Reasons.</b> Nodes that flush or send through this class declare {@link #ERRORS} after their own reasons
 * and pass the index of the first as {@code reasonBase}: the ARP drop reasons in {@link ArpDropReason} order, then
 * {@link #NO_HEADROOM}, {@link #NO_BUFFER}, {@link #QUEUE_OVERFLOW} (relative to the base).
 */
public final class Ip4Neighbours implements NeighbourEvents {

    /** Relative reason: a packet had no headroom for its Ethernet header. */
    public static final int NO_HEADROOM = ArpDropReason.values().length;
    /** Relative reason: no buffer for an ARP request or announcement (counted, nothing dropped). */
    public static final int NO_BUFFER = NO_HEADROOM + 1;
    /** Relative reason: the event queue was full; the packet was freed at once (counted where flushed). */
    public static final int QUEUE_OVERFLOW = NO_BUFFER + 1;

    /** The reasons block, declared by every node that passes a {@link NodeContext} to this class. */
    public static final List<NodeError> ERRORS = errors();

    private static final byte TRANSMIT = 1;
    private static final byte DROP = 2;
    private static final byte REQUEST = 3;

    private final InterfaceTable interfaces;
    private final Ip4Fib fib;
    private final BufferCache cache;
    private final boolean announces;

    private final byte[] kinds;
    private final int[] ifIndexes;
    private final int[] values;
    private final long[] words;
    private final int mask;
    private long head;
    private long tail;
    private long overflows;

    private long seenFibVersion = -1;
    private final boolean[] wasUp = new boolean[InterfaceTable.MAX_INTERFACES];
    private long[] announced = new long[0];
    private long announcements;

    /**
     * @param queueSize events held between two flushes (rounded up to a power of two); a full queue frees packets
     *     into {@code cache} at once and counts them
     * @param announces whether this worker sends the gratuitous ARPs (one worker of a stack does)
     */
    public Ip4Neighbours(InterfaceTable interfaces, Ip4Fib fib, BufferCache cache, int queueSize, boolean announces) {
        if (queueSize < 1 || queueSize > 1 << 24) {
            throw new IllegalArgumentException("neighbour event queue of " + queueSize + " not in 1.." + (1 << 24));
        }
        this.interfaces = interfaces;
        this.fib = fib;
        this.cache = cache;
        this.announces = announces;
        int size = Integer.highestOneBit(Math.max(2, queueSize * 2 - 1));
        this.kinds = new byte[size];
        this.ifIndexes = new int[size];
        this.values = new int[size];
        this.words = new long[size];
        this.mask = size - 1;
    }

    // ---------------------------------------------------------------------------------- NeighbourEvents (queue)

    @Override
    public void transmit(int ifIndex, int bufferIndex, long mac) {
        if (!offer(TRANSMIT, ifIndex, bufferIndex, mac)) {
            cache.freeChain(bufferIndex);
        }
    }

    @Override
    public void drop(int ifIndex, int bufferIndex, ArpDropReason reason) {
        if (!offer(DROP, ifIndex, bufferIndex, reason.ordinal())) {
            cache.freeChain(bufferIndex);
        }
    }

    @Override
    public void sendRequest(int ifIndex, int ip, long destinationMac) {
        offer(REQUEST, ifIndex, ip, destinationMac);
    }

    private boolean offer(byte kind, int ifIndex, int value, long word) {
        if (tail - head == kinds.length) {
            overflows++;
            return false;
        }
        int i = (int) tail & mask;
        kinds[i] = kind;
        ifIndexes[i] = ifIndex;
        values[i] = value;
        words[i] = word;
        tail++;
        return true;
    }

    /** Events waiting for a flush. */
    public int queued() {
        return (int) (tail - head);
    }

    // ------------------------------------------------------------------------------------------------- flush

    /**
     * Acts on every queued event through {@code ctx}: sends to next index {@code output} (interface-output),
     * counts and drops under {@code reasonBase + } the relative reason. Returns the number of events handled.
     */
    public int flush(NodeContext ctx, int output, int reasonBase) {
        int handled = 0;
        long end = tail;
        while (head != end) {
            int i = (int) head & mask;
            head++;
            handled++;
            switch (kinds[i]) {
                case TRANSMIT -> sendIp4(ctx, output, reasonBase, ifIndexes[i], values[i], words[i]);
                case DROP -> ctx.drop(values[i], reasonBase + (int) words[i]);
                default -> sendRequest(ctx, output, reasonBase, ifIndexes[i], values[i], words[i]);
            }
        }
        if (overflows != 0) {
            for (; overflows > 0; overflows--) {
                ctx.count(reasonBase + QUEUE_OVERFLOW);
            }
        }
        return handled;
    }

    /**
     * Sends IPv4 packet {@code buffer} (current data at its IPv4 header) to {@code mac} on {@code ifIndex}: prepends
     * the Ethernet header, sets the transmit interface and enqueues it to {@code output}; without headroom it is
     * dropped as {@link #NO_HEADROOM}.
     */
    public void sendIp4(NodeContext ctx, int output, int reasonBase, int ifIndex, int buffer, long mac) {
        BufferPool pool = ctx.pool();
        Interface itf = interfaces.get(ifIndex); // never null: routes name existing interfaces, none is removed
        if (itf == null || pool.prependSpace(buffer) < Ethernet.HEADER_LENGTH) {
            ctx.drop(buffer, reasonBase + NO_HEADROOM);
            return;
        }
        pool.advance(buffer, -Ethernet.HEADER_LENGTH);
        Ethernet.emit(pool.memory(), pool.dataOffset(buffer), mac, itf.macAddress(), Ethernet.TYPE_IPV4);
        pool.setTxInterface(buffer, ifIndex);
        ctx.enqueue(output, buffer);
    }

    /**
     * Builds an ARP request for {@code targetIp} on {@code ifIndex} to {@code destinationMac} (broadcast, or the
     * known MAC for a unicast poll) in a new buffer and enqueues it to {@code output}. The sender address is the
     * interface's address towards the target. No buffer: counted as {@link #NO_BUFFER}.
     */
    public void sendRequest(NodeContext ctx, int output, int reasonBase, int ifIndex, int targetIp,
            long destinationMac) {
        Interface itf = interfaces.get(ifIndex);
        if (itf == null) {
            return;
        }
        long mac = itf.macAddress();
        int b = newFrame(ctx, reasonBase, destinationMac, mac, ifIndex);
        if (b != BufferPool.NO_BUFFER) {
            Arp.emit(ctx.pool().memory(), ctx.pool().dataOffset(b) + Ethernet.HEADER_LENGTH, Arp.OP_REQUEST, mac,
                    fib.sourceAddressFor(targetIp), 0L, targetIp);
            ctx.enqueue(output, b);
        }
    }

    /** A new buffer holding a broadcast or unicast Ethernet header for ARP, sized for one ARP packet. */
    private int newFrame(NodeContext ctx, int reasonBase, long destination, long source, int ifIndex) {
        int b = ctx.cache().allocate();
        if (b == BufferPool.NO_BUFFER) {
            ctx.count(reasonBase + NO_BUFFER);
            return b;
        }
        BufferPool pool = ctx.pool();
        MemorySegment mem = pool.memory();
        Ethernet.emit(mem, pool.dataOffset(b), destination, source, Ethernet.TYPE_ARP);
        pool.setCurrentLength(b, Ethernet.HEADER_LENGTH + Arp.LENGTH);
        pool.setTxInterface(b, ifIndex);
        return b;
    }

    // ---------------------------------------------------------------------------------------- announcements

    /**
     * Sends a gratuitous ARP (RFC 5227 §3) for every interface address not announced yet whose interface is up:
     * addresses added since the last call, and all addresses of an interface that came up. Cheap when nothing
     * changed (a volatile read per interface and one of the FIB's version); allocates only when something did.
     * Only the announcing worker sends. Returns the number sent.
     */
    public int announce(NodeContext ctx, int output, int reasonBase) {
        if (!announces) {
            return 0;
        }
        boolean changed = fib.version() != seenFibVersion;
        int count = Math.min(interfaces.size(), wasUp.length);
        for (int i = 0; i < count; i++) {
            Interface itf = interfaces.get(i);
            boolean up = itf != null && itf.isAdminUp();
            if (up != wasUp[i]) {
                wasUp[i] = up;
                changed = true;
            }
        }
        if (!changed) {
            return 0;
        }
        seenFibVersion = fib.version();
        long[] keys = fib.interfaceAddressKeys();
        long[] nowAnnounced = new long[keys.length];
        int kept = 0;
        int sent = 0;
        for (long key : keys) {
            int ifIndex = (int) (key >>> 32);
            if (ifIndex >= wasUp.length || !wasUp[ifIndex]) {
                continue;
            }
            nowAnnounced[kept++] = key;
            if (!contains(announced, key)) {
                sendGratuitous(ctx, output, reasonBase, ifIndex, (int) key);
                sent++;
            }
        }
        announced = Arrays.copyOf(nowAnnounced, kept);
        announcements += sent;
        return sent;
    }

    private void sendGratuitous(NodeContext ctx, int output, int reasonBase, int ifIndex, int ip) {
        long mac = interfaces.get(ifIndex).macAddress();
        int b = newFrame(ctx, reasonBase, MacAddress.BROADCAST, mac, ifIndex);
        if (b != BufferPool.NO_BUFFER) {
            Arp.emitGratuitous(ctx.pool().memory(), ctx.pool().dataOffset(b) + Ethernet.HEADER_LENGTH, mac, ip);
            ctx.enqueue(output, b);
        }
    }

    private static boolean contains(long[] keys, long key) {
        for (long k : keys) {
            if (k == key) {
                return true;
            }
        }
        return false;
    }

    /** Gratuitous ARPs sent by this worker. */
    public long announcements() {
        return announcements;
    }

    private static List<NodeError> errors() {
        List<NodeError> out = new ArrayList<>();
        for (ArpDropReason r : ArpDropReason.values()) {
            out.add(new NodeError(r.symbol(), r.description()));
        }
        out.add(new NodeError("no-headroom", "no headroom for the Ethernet header"));
        out.add(new NodeError("arp-no-buffer", "no buffer for an ARP request or announcement"));
        out.add(new NodeError("neighbour-queue-full", "neighbour event queue full, packet freed"));
        return List.copyOf(out);
    }

    /** Concatenates a node's own reasons and {@link #ERRORS}; the block starts at {@code own.size()}. */
    static List<NodeError> withNeighbourErrors(List<NodeError> own) {
        List<NodeError> all = new ArrayList<>(own);
        all.addAll(ERRORS);
        return List.copyOf(all);
    }
}
