package io.sluice.core.phy;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.pcap.PcapWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * A device wrapper that captures the frames of the device it wraps to a {@link PcapWriter}: received frames after
 * the inner device's {@code receive}, transmitted frames before the inner device's {@code transmit} takes the
 * buffers (it may free them). Capture is switched on per direction ({@code pcap trace rx tx max N file PATH} →
 * {@link #startCapture}) and off ({@code pcap trace off} → {@link #stopCapture}, which hands the writer back for
 * closing). When the writer refuses a frame (its packet or byte limit reached, or it failed), capture turns itself
 * off in both directions; the writer stays attached until {@link #stopCapture}.
 *
 * <p>One writer may be shared by several devices and served by several workers (one capture file for the whole
 * stack, as {@code pcap trace} makes): each batch is written holding the writer's monitor, uncontended with one
 * worker and paid only while capturing. Whoever closes a detached writer takes the same monitor
 * ({@link #closeDetached}), and a closed writer refuses frames, so a worker that raced with {@code pcap trace off}
 * loses nothing but the frames of its last batch. The switches are volatile so the control thread may flip them
 * while workers run. Everything else is the inner device's, unchanged.
 */
public final class PcapDevice extends DeviceWrapper {

    private volatile PcapWriter writer;
    private volatile boolean captureRx;
    private volatile boolean captureTx;
    /** Added to the worker's {@code now} to make a record's time: the wall-clock offset of the worker's clock. */
    private volatile long epochOffset;

    public PcapDevice(Device inner) {
        super(inner);
    }

    /**
     * Starts capturing received ({@code rx}) and/or transmitted ({@code tx}) frames to {@code target}.
     *
     * @throws IllegalStateException if a capture is already attached
     * @throws IllegalArgumentException if neither direction is asked for
     */
    public void startCapture(PcapWriter target, boolean rx, boolean tx) {
        startCapture(target, rx, tx, 0);
    }

    /**
     * As {@link #startCapture(PcapWriter, boolean, boolean)}, each record stamped {@code now + epochOffset}: a stack
     * whose workers pass {@link System#nanoTime()} gives the wall clock's offset from it, so the file shows dates.
     */
    public void startCapture(PcapWriter target, boolean rx, boolean tx, long epochOffset) {
        Objects.requireNonNull(target, "writer");
        if (!rx && !tx) {
            throw new IllegalArgumentException("capture needs rx, tx or both");
        }
        if (writer != null) {
            throw new IllegalStateException(name() + ": a capture to " + writer.path() + " is already attached");
        }
        this.epochOffset = epochOffset;
        writer = target;
        captureRx = rx;
        captureTx = tx;
    }

    /** Stops capturing and detaches the writer, which the caller closes; null if none was attached. */
    public PcapWriter stopCapture() {
        captureRx = false;
        captureTx = false;
        PcapWriter w = writer;
        writer = null;
        return w;
    }

    public boolean capturingRx() {
        return captureRx;
    }

    public boolean capturingTx() {
        return captureTx;
    }

    /** The attached writer (still attached after capture turned itself off), or null. */
    public PcapWriter writer() {
        return writer;
    }

    @Override
    public int receive(int queue, long now, BufferCache cache, int[] destination, int offset, int max) {
        int n = inner.receive(queue, now, cache, destination, offset, max);
        if (n > 0 && captureRx) {
            capture(now, cache, destination, offset, n);
        }
        return n;
    }

    @Override
    public int transmit(int queue, long now, BufferCache cache, int[] buffers, int offset, int count) {
        if (count > 0 && captureTx) {
            capture(now, cache, buffers, offset, count);
        }
        return inner.transmit(queue, now, cache, buffers, offset, count);
    }

    private void capture(long now, BufferCache cache, int[] buffers, int offset, int count) {
        PcapWriter w = writer;
        if (w == null) {
            return;
        }
        synchronized (w) {
            for (int k = offset; k < offset + count; k++) {
                if (!w.write(now + epochOffset, cache.pool(), buffers[k])) {
                    captureRx = false;
                    captureTx = false;
                    return;
                }
            }
        }
    }

    /**
     * Closes a writer taken back with {@link #stopCapture}, holding its monitor so no worker is writing to it.
     *
     * @throws IOException if the last frames could not be written out
     */
    public static void closeDetached(PcapWriter detached) throws IOException {
        synchronized (detached) {
            detached.close();
        }
    }

    /**
     * Closes the wrapped device, then the attached writer if any.
     *
     * @throws UncheckedIOException if the writer could not write out its last frames
     */
    @Override
    public void close() {
        inner.close();
        PcapWriter w = stopCapture();
        if (w != null) {
            try {
                closeDetached(w);
            } catch (IOException e) {
                throw new UncheckedIOException(name() + ": closing the capture " + w.path(), e);
            }
        }
    }

    @Override
    public String toString() {
        return "pcap(" + inner + ")";
    }
}
