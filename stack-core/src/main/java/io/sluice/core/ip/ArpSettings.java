package io.sluice.core.ip;

/**
 * The sizes and times of an {@link ArpTable}. Times are nanoseconds on the worker's monotonic clock.
 *
 * @param capacity neighbour entries the table holds at once (all states, static ones included)
 * @param pendingPerNeighbour packets queued for one unresolved neighbour; at least 1 (RFC 1122 §2.3.2.2 asks for
 *     at least one)
 * @param reachableNanos how long a learned entry stays {@link ArpTable#REACHABLE} after its last confirmation
 * @param staleNanos how long a {@link ArpTable#STALE} entry is kept (and used) while unicast polls confirm it
 * @param retryIntervalNanos the least time between two requests for one address; at least 1 s (RFC 1122
 *     §2.3.2.1: at most one request per second per destination)
 * @param maxRequests broadcast requests sent for an unresolved address before it fails
 * @param timerTag 0..255, put in the top byte of the table's timer user data so that a worker sharing its
 *     {@link io.sluice.core.timer.TimerWheel} among owners can route expirations
 */
public record ArpSettings(int capacity, int pendingPerNeighbour, long reachableNanos, long staleNanos,
        long retryIntervalNanos, int maxRequests, int timerTag) {

    /** One second, the RFC 1122 §2.3.2.1 flooding limit. */
    public static final long SECOND = 1_000_000_000L;
    /** Default pending queue per unresolved neighbour. */
    public static final int DEFAULT_PENDING = 4;
    /** Default reachable time: 5 minutes, VPP's default neighbour age. */
    public static final long DEFAULT_REACHABLE_NANOS = 300 * SECOND;
    /** Default stale time: 60 s of use with unicast polls before an unconfirmed entry is removed. */
    public static final long DEFAULT_STALE_NANOS = 60 * SECOND;
    /** Default requests before failure: 3, one per second. */
    public static final int DEFAULT_MAX_REQUESTS = 3;
    /** Largest capacity: entry indices and generations share a timer's user data. */
    public static final int MAX_CAPACITY = 1 << 24;
    /** Largest pending queue per neighbour. */
    public static final int MAX_PENDING = 256;

    /** Checks the values; throws {@link IllegalArgumentException} naming the bad value. */
    public ArpSettings {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("ARP capacity " + capacity + " not in 1.." + MAX_CAPACITY);
        }
        if (pendingPerNeighbour < 1 || pendingPerNeighbour > MAX_PENDING) {
            throw new IllegalArgumentException(
                    "ARP pending queue " + pendingPerNeighbour + " not in 1.." + MAX_PENDING);
        }
        if ((long) capacity * pendingPerNeighbour > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("ARP capacity " + capacity + " x pending queue "
                    + pendingPerNeighbour + " too large");
        }
        if (reachableNanos <= 0) {
            throw new IllegalArgumentException("ARP reachable time " + reachableNanos + " ns not positive");
        }
        if (staleNanos <= 0) {
            throw new IllegalArgumentException("ARP stale time " + staleNanos + " ns not positive");
        }
        if (retryIntervalNanos < SECOND) {
            throw new IllegalArgumentException("ARP retry interval " + retryIntervalNanos
                    + " ns below 1 s (RFC 1122 2.3.2.1 flooding limit)");
        }
        if (maxRequests < 1 || maxRequests > 255) {
            throw new IllegalArgumentException("ARP max requests " + maxRequests + " not in 1..255");
        }
        if (timerTag < 0 || timerTag > 255) {
            throw new IllegalArgumentException("ARP timer tag " + timerTag + " not in 0..255");
        }
    }

    /** The defaults with the given capacity. */
    public static ArpSettings defaults(int capacity) {
        return new ArpSettings(capacity, DEFAULT_PENDING, DEFAULT_REACHABLE_NANOS, DEFAULT_STALE_NANOS, SECOND,
                DEFAULT_MAX_REQUESTS, 0);
    }
}
