package io.sluice.core.stack;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.graph.GraphBuilder;
import io.sluice.core.iface.InterfaceTable;
import io.sluice.core.ip.ArpSettings;
import io.sluice.core.ip.Ip4Fib;
import io.sluice.core.ip.Ip4Layer;
import io.sluice.core.l4.L4Nodes;
import io.sluice.core.tcp.layer.Tcp4InputNode;
import io.sluice.core.tcp.layer.Tcp4OutputNode;
import io.sluice.core.tcp.layer.TcpLayer;
import io.sluice.core.timer.TimerWheel;

/**
 * Which protocol nodes make one worker's graph, in one place: the IPv4 layer (with the worker's own ARP table), the
 * ICMP and UDP nodes, and tcp4-input and tcp4-output. The stack builds every worker's graph with it, and the
 * engine benchmark the graph it measures, so the two cannot drift apart. The device nodes are the engine's (or a
 * benchmark's stand-ins).
 *
 * @param interfaces the stack's interface table
 * @param fib the stack's routing table
 * @param l4 the ICMP and UDP nodes and the sockets they share
 * @param tcp the stack's TCP (its workers' connection tables and the listeners)
 * @param arp the ARP settings of every worker's table
 */
public record ProtocolGraph(InterfaceTable interfaces, Ip4Fib fib, L4Nodes l4, TcpLayer tcp, ArpSettings arp) {

    /**
     * Adds worker {@code worker}'s protocol nodes to {@code builder}.
     *
     * @param arpWheel the worker's timer wheel for its ARP table (its handler must pass expirations to the returned
     *     layer's {@link Ip4Layer#arpTable()})
     * @param tcpWheel the worker's timer wheel for its TCP connections, made with {@code tcp.worker(worker)} as its
     *     handler
     * @param announces whether this worker sends the gratuitous ARPs (one worker of a stack does)
     * @return the worker's IPv4 layer (its ARP table, for {@code show ip arp})
     */
    public Ip4Layer addTo(GraphBuilder builder, TimerWheel arpWheel, TimerWheel tcpWheel, BufferCache cache, int worker,
            int workers, boolean announces) {
        Ip4Layer layer = new Ip4Layer(interfaces, fib, arpWheel, cache, arp, worker, workers, announces);
        layer.addTo(builder);
        l4.addTo(builder, worker);
        tcp.worker(worker).useWheel(tcpWheel);
        builder.add(Tcp4InputNode.NAME, () -> new Tcp4InputNode(tcp, worker))
                .add(Tcp4OutputNode.NAME, () -> new Tcp4OutputNode(tcp, worker));
        return layer;
    }
}
