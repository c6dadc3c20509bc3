package io.sluice.core.ip;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.graph.GraphBuilder;
import io.sluice.core.iface.InterfaceTable;
import io.sluice.core.timer.TimerWheel;
import java.util.Objects;

/**
 * One worker's IPv4 layer: its {@link ArpTable}, its {@link Ip4Neighbours}, and the nodes between the engine's
 * device nodes and the transport nodes, added to that worker's graph by {@link #addTo}. The {@link Ip4Fib} and the
 * {@link InterfaceTable} are shared by all workers.
 *
 * <p>The nodes: {@value EthernetInputNode#NAME} → {@value ArpInputNode#NAME} | {@value Ip4InputNode#NAME};
 * {@value Ip4InputNode#NAME} → {@value #ICMP4_INPUT} | {@value #UDP4_INPUT} | {@value #TCP4_INPUT};
 * {@value Ip4OutputNode#NAME} → {@value #INTERFACE_OUTPUT} | {@value Ip4InputNode#NAME} (local loopback);
 * {@value ArpInputNode#NAME} and the input node {@value Ip4NeighbourNode#NAME} → {@value #INTERFACE_OUTPUT}. The
 * graph must also hold the nodes named by these constants (the engine's and the transport layer's).
 *
 * <p>The worker's timer handler must pass the ARP table's expirations to {@link #arpTable()} (it is the
 * {@link io.sluice.core.timer.ExpiryHandler} for the timers it starts).
 */
public final class Ip4Layer {

    /** The engine's node that transmits a full Ethernet frame on the buffer's {@code txInterface}. */
    public static final String INTERFACE_OUTPUT = "interface-output";
    /** The ICMPv4 node: receives datagrams with current data at the IPv4 header. */
    public static final String ICMP4_INPUT = "icmp4-input";
    /** The UDP node: receives datagrams with current data at the IPv4 header. */
    public static final String UDP4_INPUT = "udp4-input";
    /** The TCP node: receives segments with current data at the IPv4 header. */
    public static final String TCP4_INPUT = "tcp4-input";

    private final InterfaceTable interfaces;
    private final Ip4Fib fib;
    private final ArpTable arpTable;
    private final Ip4Neighbours neighbours;
    private final int worker;
    private final int workers;

    /** One worker of one: {@link #Ip4Layer(InterfaceTable, Ip4Fib, TimerWheel, BufferCache, ArpSettings, int, int)}. */
    public Ip4Layer(InterfaceTable interfaces, Ip4Fib fib, TimerWheel wheel, BufferCache cache, ArpSettings arp,
            boolean announces) {
        this(interfaces, fib, wheel, cache, arp, 0, 1, announces);
    }

    /**
     * @param wheel the worker's timer wheel (for the ARP table's timers)
     * @param cache the worker's buffer cache, the one its graph is built with
     * @param worker this worker's index
     * @param workers how many workers the stack runs: with more than one, arp-input hands a copy of every ARP
     *     packet to each other worker, so every worker's table learns what any one of them received
     * @param announces whether this worker sends gratuitous ARPs (exactly one worker of a stack should)
     */
    public Ip4Layer(InterfaceTable interfaces, Ip4Fib fib, TimerWheel wheel, BufferCache cache, ArpSettings arp,
            int worker, int workers, boolean announces) {
        this.interfaces = Objects.requireNonNull(interfaces, "interfaces");
        this.fib = Objects.requireNonNull(fib, "fib");
        if (worker < 0 || worker >= workers) {
            throw new IllegalArgumentException("worker " + worker + " of " + workers);
        }
        this.worker = worker;
        this.workers = workers;
        // Every packet the table holds and a request per entry can be queued between two flushes.
        int queueSize = Math.min(1 << 24, arp.capacity() * (arp.pendingPerNeighbour() + 1));
        this.neighbours = new Ip4Neighbours(interfaces, fib, cache, queueSize, announces);
        this.arpTable = new ArpTable(arp, wheel, neighbours);
    }

    /** Adds this worker's IPv4 nodes to {@code graph} (a builder for this worker's graph) and returns it. */
    public GraphBuilder addTo(GraphBuilder graph) {
        return graph.add(EthernetInputNode.NAME, () -> new EthernetInputNode(interfaces))
                .add(ArpInputNode.NAME, () -> new ArpInputNode(interfaces, fib, arpTable, neighbours, worker, workers))
                .add(Ip4InputNode.NAME, () -> new Ip4InputNode(fib))
                .add(Ip4OutputNode.NAME, () -> new Ip4OutputNode(interfaces, fib, arpTable, neighbours))
                .add(Ip4NeighbourNode.NAME, () -> new Ip4NeighbourNode(neighbours));
    }

    /** The worker's ARP table ({@code show ip arp} takes its {@link ArpTable#snapshot}). */
    public ArpTable arpTable() {
        return arpTable;
    }

    /** The worker's neighbour event queue. */
    public Ip4Neighbours neighbours() {
        return neighbours;
    }

    /** The shared routing table ({@code show ip fib} takes its {@link Ip4Fib#snapshot}). */
    public Ip4Fib fib() {
        return fib;
    }
}
