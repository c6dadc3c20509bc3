package io.sluice.core.phy;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.sys.NativeFd;

/**
 * A device whose transmitted frames come back on its own receive queue, in order: one receive and one transmit
 * queue, a bounded ring of buffer indices between them. No bytes are copied: the transmitted buffer is the one
 * received, so the device serves one buffer pool (the first transmit binds it; a frame from another pool is dropped
 * and counted as {@link #foreignPoolDrops()}). A full ring drops the frame (freed, counted as a transmit drop).
 *
 * <p>Not thread-safe: both queues are served by one thread. Polled: {@link #receiveReadiness} is null.
 */
public final class LoopbackDevice extends AbstractDevice {

    private final int[] ring;

    /** The pool of the frames in the ring, set by the first transmit. */
    private BufferPool pool;
    /** Total frames taken off the ring (consumer position) and put on it (producer position). */
    private long head;
    private long tail;
    private long foreignPoolDrops;
    private boolean closed;

    /**
     * @param capacity frames the ring holds, at least 1
     */
    public LoopbackDevice(String name, long macAddress, int mtu, int capacity) {
        super(name, macAddress, mtu, 1, 1);
        if (capacity < 1 || capacity > 1 << 20) {
            throw new IllegalArgumentException("loopback capacity must be in [1, 1048576] frames, got " + capacity);
        }
        this.ring = new int[capacity];
    }

    @Override
    public int receive(int queue, long now, BufferCache cache, int[] destination, int offset, int max) {
        int n = 0;
        while (n < max && head != tail) {
            int buffer = ring[(int) (head++ % ring.length)];
            destination[offset + n++] = buffer;
            counters.received(queue, pool.chainLength(buffer));
        }
        return n;
    }

    @Override
    public int transmit(int queue, long now, BufferCache cache, int[] buffers, int offset, int count) {
        BufferPool from = cache.pool();
        if (pool == null) {
            pool = from;
        }
        int sent = 0;
        for (int k = offset; k < offset + count; k++) {
            int buffer = buffers[k];
            if (closed || tail - head == ring.length || from != pool) {
                if (from != pool) {
                    foreignPoolDrops++;
                }
                counters.transmitDropped(queue);
                cache.freeChain(buffer);
                continue;
            }
            counters.transmitted(queue, pool.chainLength(buffer));
            ring[(int) (tail++ % ring.length)] = buffer;
            sent++;
        }
        return sent;
    }

    @Override
    public NativeFd receiveReadiness(int queue) {
        return null;
    }

    /** Frames waiting in the ring. */
    public int framesQueued() {
        return (int) (tail - head);
    }

    /** Frames dropped because they came from another pool than the one the device serves. */
    public long foreignPoolDrops() {
        return foreignPoolDrops;
    }

    /** Frees the frames still in the ring back to their pool; later transmissions are dropped and counted. */
    @Override
    public void close() {
        closed = true;
        if (head == tail) {
            return;
        }
        try (BufferCache cache = pool.newCache()) {
            while (head != tail) {
                cache.freeChain(ring[(int) (head++ % ring.length)]);
            }
        }
    }

    @Override
    public String toString() {
        return "loopback " + name();
    }
}
