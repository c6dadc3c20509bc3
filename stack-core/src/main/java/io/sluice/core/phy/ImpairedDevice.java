package io.sluice.core.phy;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.sys.NativeFd;
import java.util.Objects;

/**
 * A device seen through an impaired link: what the stack transmits passes a {@link FaultInjector} (and a delay
 * line) before the inner device sends it, and what the inner device receives passes another before the stack sees
 * it. It gives a real peer (the kernel through a TAP) the loss, delay, jitter, reordering, duplication, corruption
 * and rate limits of {@code tc netem} where the kernel has no netem, or where a test wants the same impairment
 * with a seed.
 *
 * <p>One receive and one transmit queue, served by one worker: frames due on the transmit line leave whenever the
 * worker polls the device (receive) or transmits, so the device can only be polled ({@link #receiveReadiness}
 * is null and the worker never sleeps while it serves it). Nothing is allocated per frame.
 */
public final class ImpairedDevice extends DeviceWrapper {

    private static final int BATCH = 256;
    private static final int LINE_FRAMES = 4096;

    private final DelayLine transmitLine;
    private final DelayLine receiveLine;
    private final int[] batch = new int[BATCH];

    /**
     * @param inner the real device (one receive queue)
     * @param onTransmit what happens to frames the stack sends
     * @param onReceive what happens to frames the inner device receives
     */
    public ImpairedDevice(Device inner, FaultInjector onTransmit, FaultInjector onReceive) {
        super(inner);
        if (inner.receiveQueueCount() != 1) {
            throw new IllegalArgumentException("an impaired device wraps a device of one receive queue; "
                    + inner.name() + " has " + inner.receiveQueueCount());
        }
        int slot = inner.mtu() + InMemoryWire.FRAMING;
        this.transmitLine = new DelayLine(LINE_FRAMES, slot, Objects.requireNonNull(onTransmit, "onTransmit"));
        this.receiveLine = new DelayLine(LINE_FRAMES, slot, Objects.requireNonNull(onReceive, "onReceive"));
    }

    @Override
    public int receiveQueueCount() {
        return 1;
    }

    @Override
    public int transmitQueueCount() {
        return 1;
    }

    @Override
    public int receive(int queue, long now, BufferCache cache, int[] destination, int offset, int max) {
        sendDue(now, cache);
        BufferPool pool = cache.pool();
        int arrived = inner.receive(0, now, cache, batch, 0, BATCH);
        for (int i = 0; i < arrived; i++) {
            receiveLine.offer(now, pool, batch[i], pool.chainLength(batch[i]));
            cache.freeChain(batch[i]);
        }
        int n = 0;
        while (n < max) {
            int buffer = receiveLine.takeDue(now, cache);
            if (buffer == BufferPool.NO_BUFFER) {
                break;
            }
            destination[offset + n++] = buffer;
        }
        return n;
    }

    @Override
    public int transmit(int queue, long now, BufferCache cache, int[] buffers, int offset, int count) {
        BufferPool pool = cache.pool();
        int taken = 0;
        for (int k = offset; k < offset + count; k++) {
            if (transmitLine.offer(now, pool, buffers[k], pool.chainLength(buffers[k]))) {
                taken++;
            }
            cache.freeChain(buffers[k]);
        }
        sendDue(now, cache);
        return taken;
    }

    /** Hands the inner device every frame whose time on the transmit line is over. */
    private void sendDue(long now, BufferCache cache) {
        while (true) {
            int n = 0;
            int buffer;
            while (n < BATCH && (buffer = transmitLine.takeDue(now, cache)) != BufferPool.NO_BUFFER) {
                batch[n++] = buffer;
            }
            if (n == 0) {
                return;
            }
            inner.transmit(0, now, cache, batch, 0, n);
        }
    }

    /** Polled only: frames wait on the lines for time to pass, not for a descriptor. */
    @Override
    public NativeFd receiveReadiness(int queue) {
        return null;
    }

    @Override
    public String toString() {
        return "impaired " + inner;
    }
}
