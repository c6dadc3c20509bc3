package io.sluice.core.ip;

/**
 * What an {@link ArpTable} asks its worker to do outside {@link ArpTable#resolve}: when a reply resolves a
 * neighbour, when a timer retransmits a request or fails a neighbour, when configuration changes an entry. Called
 * on the worker's thread, from inside the table's methods; an implementation must not call back into the table.
 * One long-lived instance per worker; every parameter is primitive (or a constant), so calls allocate nothing.
 */
public interface NeighbourEvents {

    /**
     * A queued packet may go now: write {@code mac} as its destination and send it on {@code ifIndex}. Packets of
     * one neighbour come in the order they were queued.
     */
    void transmit(int ifIndex, int bufferIndex, long mac);

    /** A queued packet is given back: free it and count {@code reason}. */
    void drop(int ifIndex, int bufferIndex, ArpDropReason reason);

    /**
     * Send an ARP request for {@code ip} on {@code ifIndex} to {@code destinationMac}: the broadcast address for a
     * retransmission, the known address for a unicast poll of a stale entry (RFC 1122 §2.3.2.1).
     */
    void sendRequest(int ifIndex, int ip, long destinationMac);
}
