package io.sluice.core.l4;

/**
 * One line of the socket list ({@code show udp sockets}): where the socket is bound, which worker sends for it, and
 * its counters at the time of the snapshot.
 *
 * @param rxQueued datagrams received and not yet taken by the application
 * @param rxDatagrams datagrams queued for the application since bind
 * @param rxDropped datagrams dropped on receive (queue full, larger than a slot)
 * @param txQueued datagrams the application queued that the worker has not sent yet
 * @param txSent datagrams handed to ip4-output
 * @param txDropped datagrams refused (tx queue full) or dropped by the worker (no route, no buffer)
 * @param icmpErrors ICMP errors received about the socket's datagrams
 */
public record UdpSocketInfo(int localAddress, int localPort, int worker, int rxQueued, long rxDatagrams,
        long rxDropped, int txQueued, long txSent, long txDropped, long icmpErrors) {

    /** The bound end as "address:port". */
    public String localEndpoint() {
        return UdpPortTable.endpoint(localAddress, localPort);
    }
}
