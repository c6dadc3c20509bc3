package io.sluice.core.l4;

import io.sluice.core.graph.GraphBuilder;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.function.IntUnaryOperator;

/**
 * The ICMP and UDP part of a worker's graph, wired with one call: {@code l4.addTo(builder, worker)} adds
 * icmp4-input, icmp4-error, udp4-input and udp4-socket-output (each sends to ip4-output, which the builder must
 * have). One instance holds what all workers share.
 *
 * @param sockets the stack's UDP sockets (and, through them, the port table)
 * @param isLocalUnicast whether an address is one of this host's unicast addresses (echo and error rules)
 * @param sourceAddressFor the routing table's source address for a destination, 0 for no route
 * @param icmpErrorsPerSecond per-worker rate limit of ICMP errors sent
 * @param icmpErrorBurst ICMP errors a worker may send at once after a quiet period
 */
public record L4Nodes(UdpSockets sockets, IntPredicate isLocalUnicast, IntUnaryOperator sourceAddressFor,
        int icmpErrorsPerSecond, int icmpErrorBurst) {

    /** The names of the nodes {@link #addTo} adds. */
    public static final List<String> NAMES = List.of(Icmp4InputNode.NAME, Icmp4ErrorNode.NAME, Udp4InputNode.NAME,
            UdpSocketOutputNode.NAME);

    /** With the default ICMP error limit ({@value Icmp4ErrorNode#DEFAULT_RATE_PER_SECOND}/s, burst 50). */
    public L4Nodes(UdpSockets sockets, IntPredicate isLocalUnicast, IntUnaryOperator sourceAddressFor) {
        this(sockets, isLocalUnicast, sourceAddressFor, Icmp4ErrorNode.DEFAULT_RATE_PER_SECOND,
                Icmp4ErrorNode.DEFAULT_BURST);
    }

    /** Checks the limit once, here, rather than in every worker's graph build. */
    public L4Nodes {
        new TokenBucket(icmpErrorsPerSecond, icmpErrorBurst);
    }

    /** Adds the four nodes, for {@code worker}, to that worker's graph description. */
    public GraphBuilder addTo(GraphBuilder builder, int worker) {
        if (worker < 0 || worker >= sockets.workers()) {
            throw new IllegalArgumentException("worker " + worker + " is not one of the " + sockets.workers()
                    + " workers the UDP sockets were made for");
        }
        UdpPortTable ports = sockets.table();
        return builder
                .add(Icmp4InputNode.NAME, () -> new Icmp4InputNode(ports, isLocalUnicast))
                .add(Icmp4ErrorNode.NAME, () -> new Icmp4ErrorNode(isLocalUnicast,
                        new TokenBucket(icmpErrorsPerSecond, icmpErrorBurst)))
                .add(Udp4InputNode.NAME, () -> new Udp4InputNode(ports, isLocalUnicast))
                .add(UdpSocketOutputNode.NAME, () -> new UdpSocketOutputNode(sockets, worker, sourceAddressFor));
    }
}
