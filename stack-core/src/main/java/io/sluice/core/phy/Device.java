package io.sluice.core.phy;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.sys.NativeFd;

/**
 * A network device as the packet engine sees it: numbered receive and transmit queues of Ethernet frames, each
 * frame a buffer index of the worker's pool. A queue is served by one worker thread at a time (the rx placement
 * decides which); different queues may be served by different workers at once. Nothing here allocates per frame.
 *
 * <p>Time is passed in ({@code now}, the worker loop's nanoseconds), so devices that model delay (the in-memory
 * wire with a virtual clock) are deterministic in tests; devices that do not care ignore it.
 */
public interface Device extends AutoCloseable {

    /** The interface name (as in {@code show interface}). */
    String name();

    /** The device's MAC address, 48 bits in the low bits of a long (as {@code io.sluice.core.wire.MacAddress}). */
    long macAddress();

    /** The largest IP packet the device carries (Ethernet payload), e.g. 1500. */
    int mtu();

    int receiveQueueCount();

    int transmitQueueCount();

    /**
     * Takes up to {@code max} received frames from receive queue {@code queue} into buffers allocated from
     * {@code cache}, writing their indices to {@code destination[offset...]}. Each buffer's current data and
     * length cover the Ethernet frame (any device header, such as a virtio-net header, already stripped). When the
     * cache runs out of buffers, frames stay in the device (or are dropped and counted, for devices that cannot
     * hold them).
     *
     * @return how many frames were received, 0 when none are waiting
     */
    int receive(int queue, long now, BufferCache cache, int[] destination, int offset, int max);

    /**
     * Sends {@code count} frames on transmit queue {@code queue}. The device takes every buffer: it frees each into
     * {@code cache} once sent, or when it drops it (counted as a transmit drop).
     *
     * @return how many frames were sent; the rest were dropped and counted
     */
    int transmit(int queue, long now, BufferCache cache, int[] buffers, int offset, int count);

    /**
     * The descriptor a worker adds to its epoll set to sleep until receive queue {@code queue} has frames, or null
     * for a device that can only be polled (the worker then does not sleep while it serves such a queue).
     */
    NativeFd receiveReadiness(int queue);

    /**
     * Whether the device takes care of TCP checksums (checksum offload): frames it transmits may carry a partial
     * checksum ({@code BufferLayout.FLAG_L4_CHECKSUM_PARTIAL}), and it marks received frames whose checksum it
     * vouches for ({@code FLAG_L4_CHECKSUM_VERIFIED}). False by default: the stack computes and checks them.
     */
    default boolean checksumOffload() {
        return false;
    }

    /** The device's counters, per queue. */
    DeviceCounters counters();

    /** Releases the device; frames it still holds go back to the pool they came from. */
    @Override
    void close();
}
