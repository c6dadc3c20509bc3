package io.sluice.core.ip;

/**
 * Why the ARP table gave a packet back to be dropped: stable symbols and descriptions for {@code show errors}.
 * The caller frees the buffer and counts the reason.
 */
public enum ArpDropReason {
    /** The neighbour did not answer {@link ArpSettings#maxRequests()} requests. */
    ARP_FAILED("arp-failed", "neighbour did not answer ARP requests"),
    /** The unresolved neighbour's pending queue was full; the newest packet is dropped. */
    ARP_QUEUE_FULL("arp-queue-full", "ARP pending queue full"),
    /** No free entry for a new neighbour. */
    ARP_TABLE_FULL("arp-table-full", "ARP table full"),
    /** No free timer in the worker's wheel for a new neighbour. */
    ARP_NO_TIMER("arp-no-timer", "no timer for a new ARP entry"),
    /** The entry was removed by configuration while packets waited. */
    ARP_ENTRY_REMOVED("arp-entry-removed", "ARP entry removed while packets waited");

    private final String symbol;
    private final String description;

    ArpDropReason(String symbol, String description) {
        this.symbol = symbol;
        this.description = description;
    }

    /** The stable name, for counters. */
    public String symbol() {
        return symbol;
    }

    /** One line for {@code show errors}. */
    public String description() {
        return description;
    }
}
