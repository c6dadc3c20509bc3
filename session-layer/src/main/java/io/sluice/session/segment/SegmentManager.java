package io.sluice.session.segment;

import io.sluice.core.sys.SyscallException;
import io.sluice.core.tcp.layer.TcpBufferFactory;
import io.sluice.core.tcp.layer.TcpBuffers;
import io.sluice.session.fifo.ByteFifo;
import io.sluice.session.fifo.FifoLayout;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The FIFO segments of one application: hands out FIFO pairs of the application's rx and tx sizes, makes another
 * segment when the current ones are full (within {@link SegmentLimits}) and announces it to a {@link Listener},
 * takes pairs back, and removes an extra segment as soon as it is empty. The first segment stays for the
 * application's life, so an application with one connection at a time never churns segments.
 *
 * <p>{@link #allocate} and {@link #free} may be called from any thread: the hot path is the segments' lock-free
 * slot stacks over an array published by a volatile write, and allocates nothing. Making or removing a segment
 * (syscalls, the listener) happens under one lock, rarely.
 */
public final class SegmentManager implements AutoCloseable {

    /** Told about segments as they come and go, to send SEGMENT_ADD (with the memfd) and SEGMENT_REMOVE. */
    public interface Listener {

        /** A segment was made; its memfd stays open until {@link #segmentRemoved} (or the manager closes). */
        void segmentAdded(FifoSegment segment);

        /** A segment was emptied and unmapped here; its memfd is already closed. */
        void segmentRemoved(FifoSegment segment);

        /** A listener that does nothing. */
        Listener NONE = new Listener() {
            @Override
            public void segmentAdded(FifoSegment segment) {
            }

            @Override
            public void segmentRemoved(FifoSegment segment) {
            }
        };
    }

    private static final FifoSegment[] NO_SEGMENTS = {};

    private final String appName;
    private final int rxFifoBytes;
    private final int txFifoBytes;
    private final int slotsPerSegment;
    private final long segmentBytes;
    private final SegmentLimits limits;
    private final AtomicLong segmentIds;
    private final Listener listener;
    private final Object growLock = new Object();
    private final TcpView tcpView = new TcpView();
    /** The segments, copied on change; index 0 is the permanent first one. */
    private volatile FifoSegment[] segments = NO_SEGMENTS;
    private volatile boolean closed;
    private volatile String lastRefusal = "";
    private final AtomicLong refusals = new AtomicLong();

    /**
     * @param appName the application, for memfd names and error messages
     * @param rxFifoBytes capacity of each rx FIFO (the application's {@code rx-fifo-size})
     * @param txFifoBytes capacity of each tx FIFO ({@code tx-fifo-size})
     * @param segmentBytes the size the application asked its segments to be ({@code segment-size}); a segment
     *     always holds at least one pair
     * @param segmentIds where segment ids come from (shared with the application's other segments, so ids are
     *     unique per application)
     * @throws SegmentException if a FIFO size is beyond the limits, or one pair needs more than the byte limit
     */
    public SegmentManager(String appName, long rxFifoBytes, long txFifoBytes, long segmentBytes, SegmentLimits limits,
            AtomicLong segmentIds, Listener listener) throws SegmentException {
        this.appName = appName;
        this.rxFifoBytes = checkFifoSize(appName, "rx-fifo-size", rxFifoBytes, limits);
        this.txFifoBytes = checkFifoSize(appName, "tx-fifo-size", txFifoBytes, limits);
        long slotBytes = FifoSegment.slotBytes(this.txFifoBytes, this.rxFifoBytes);
        this.slotsPerSegment = (int) Math.clamp(segmentBytes / slotBytes, 1, Integer.MAX_VALUE);
        this.segmentBytes = slotsPerSegment * slotBytes;
        if (this.segmentBytes > limits.maxBytes()) {
            throw new SegmentException("application '" + appName + "': a segment of " + this.segmentBytes
                    + " bytes (segment-size " + segmentBytes + ", one FIFO pair needs " + slotBytes
                    + ") is beyond the stack's limit of " + limits.maxBytes() + " segment bytes per application");
        }
        this.limits = limits;
        this.segmentIds = segmentIds;
        this.listener = listener;
    }

    private static int checkFifoSize(String appName, String key, long bytes, SegmentLimits limits)
            throws SegmentException {
        long most = Math.min(limits.maxFifoBytes(), FifoLayout.MAX_CAPACITY);
        if (bytes < FifoLayout.MIN_CAPACITY || bytes > most) {
            throw new SegmentException("application '" + appName + "' asked for " + key + " " + bytes
                    + "; the stack allows " + FifoLayout.MIN_CAPACITY + " to " + most + " bytes");
        }
        return (int) bytes;
    }

    /**
     * A FIFO pair for a new session, making a segment if every one is full.
     *
     * @throws SegmentException when the application's segment or byte limit is reached, a segment cannot be made,
     *     or the manager is closed; the message says which
     */
    public FifoPair allocate() throws SegmentException {
        FifoPair pair = allocateInExisting();
        return pair != null ? pair : allocateGrowing();
    }

    private FifoPair allocateInExisting() {
        FifoSegment[] current = segments;
        for (FifoSegment segment : current) {
            FifoPair pair = segment.allocate();
            if (pair != null) {
                return pair;
            }
        }
        return null;
    }

    private FifoPair allocateGrowing() throws SegmentException {
        synchronized (growLock) {
            while (true) {
                if (closed) {
                    throw new SegmentException("application '" + appName + "' is detached: its segments are closed");
                }
                FifoPair pair = allocateInExisting();
                if (pair != null) {
                    return pair;
                }
                pair = addSegment().allocate();
                if (pair != null) {
                    return pair;
                }
                // Other threads took the new segment's every slot meanwhile: try again (limits end the loop).
            }
        }
    }

    private FifoSegment addSegment() throws SegmentException {
        FifoSegment[] current = segments;
        long bytes = 0;
        for (FifoSegment segment : current) {
            bytes += segment.size();
        }
        if (current.length >= limits.maxSegments()) {
            throw new SegmentException("application '" + appName + "' has " + inUse() + " FIFO pairs in "
                    + current.length + " segments, the stack's limit of segments per application");
        }
        if (bytes + segmentBytes > limits.maxBytes()) {
            throw new SegmentException("application '" + appName + "' has " + inUse() + " FIFO pairs in " + bytes
                    + " bytes of segments; another segment of " + segmentBytes + " would pass the stack's limit of "
                    + limits.maxBytes() + " bytes per application");
        }
        long id = segmentIds.getAndIncrement();
        FifoSegment segment;
        try {
            segment = FifoSegment.create(id, "sluice-fifos-" + appName + "-" + id, slotsPerSegment, txFifoBytes,
                    rxFifoBytes);
        } catch (SyscallException | RuntimeException e) {
            throw new SegmentException("application '" + appName + "': the stack could not make a FIFO segment of "
                    + segmentBytes + " bytes: " + e.getMessage());
        }
        FifoSegment[] grown = Arrays.copyOf(current, current.length + 1);
        grown[current.length] = segment;
        segments = grown;
        listener.segmentAdded(segment);
        return segment;
    }

    /**
     * Takes a session's pair back (session cleanup). When that empties an extra segment, the segment is removed and
     * the listener told.
     */
    public void free(FifoPair pair) {
        FifoSegment segment = pair.segment();
        if (segment.free(pair) == 0 && segment != firstSegment()) {
            removeIfEmpty(segment);
        }
    }

    private FifoSegment firstSegment() {
        FifoSegment[] current = segments;
        return current.length == 0 ? null : current[0];
    }

    private void removeIfEmpty(FifoSegment segment) {
        synchronized (growLock) {
            if (closed || !segment.seal()) {
                return; // the manager closed it, or a new session took a slot meanwhile
            }
            FifoSegment[] current = segments;
            FifoSegment[] shrunk = new FifoSegment[current.length - 1];
            int kept = 0;
            for (FifoSegment s : current) {
                if (s != segment) {
                    shrunk[kept++] = s;
                }
            }
            segments = shrunk;
            segment.close();
            listener.segmentRemoved(segment);
        }
    }

    /** TCP buffers from this application's segments: a listener or connect of the application passes this. */
    public TcpBufferFactory tcpBuffers() {
        return tcpView;
    }

    /** The application's rx FIFO size. */
    public int rxFifoBytes() {
        return rxFifoBytes;
    }

    /** The application's tx FIFO size. */
    public int txFifoBytes() {
        return txFifoBytes;
    }

    /** FIFO pairs in use now. */
    public int inUse() {
        int total = 0;
        for (FifoSegment segment : segments) {
            total += segment.inUse();
        }
        return total;
    }

    /** Segments now (the first and the extra ones). */
    public int segmentCount() {
        return segments.length;
    }

    /** The segments now, first one first. */
    public FifoSegment[] segments() {
        return segments.clone();
    }

    /** Allocations the TCP view refused (it returns null, so the SYN is dropped or the connect fails). */
    public long tcpRefusals() {
        return refusals.get();
    }

    /** Why the TCP view last refused, or an empty string. */
    public String lastTcpRefusal() {
        return lastRefusal;
    }

    /**
     * Frees everything and closes every memfd: the application detached or died. Its sessions must be gone from
     * the stack's workers first; a FIFO used after this throws IllegalStateException. The listener is not told:
     * there is nobody left to tell.
     */
    @Override
    public void close() {
        synchronized (growLock) {
            if (closed) {
                return;
            }
            closed = true;
            FifoSegment[] current = segments;
            segments = NO_SEGMENTS;
            for (FifoSegment segment : current) {
                segment.close();
            }
        }
    }

    /** Whether {@link #close} was called. */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "segments of '" + appName + "': " + segmentCount() + " segments, " + inUse() + " FIFO pairs in use";
    }

    /**
     * The pair whose {@link FifoPair#tcpBuffers()} are {@code buffers} (what TCP hands back). Allocation-free.
     *
     * @throws IllegalArgumentException when they are not from this manager's segments
     */
    public FifoPair pairOf(TcpBuffers buffers) {
        long rxAddress = ((ByteFifo) buffers.receive()).region().address();
        for (FifoSegment segment : segments) {
            FifoPair pair = segment.pairWithRxAt(rxAddress);
            if (pair != null && pair.tcpBuffers() == buffers) {
                return pair;
            }
        }
        throw new IllegalArgumentException("TCP buffers " + buffers + " are not from the segments of '" + appName
                + "'");
    }

    /** The {@link TcpBufferFactory} face: pairs as TCP buffers, null instead of an exception. */
    private final class TcpView implements TcpBufferFactory {

        @Override
        public TcpBuffers allocate() {
            FifoPair pair = allocateInExisting();
            if (pair != null) {
                return pair.tcpBuffers();
            }
            try {
                return allocateGrowing().tcpBuffers();
            } catch (SegmentException e) {
                refusals.incrementAndGet();
                lastRefusal = e.getMessage();
                return null;
            }
        }

        @Override
        public int receiveCapacity() {
            return rxFifoBytes;
        }

        @Override
        public void release(TcpBuffers buffers) {
            free(pairOf(buffers));
        }
    }
}
