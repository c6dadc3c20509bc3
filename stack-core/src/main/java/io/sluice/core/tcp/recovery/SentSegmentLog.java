package io.sluice.core.tcp.recovery;

import io.sluice.core.tcp.SeqNum;

/**
 * The segments of one connection that are sent and not yet cumulatively acknowledged, in sequence order, with what
 * RACK (RFC 8985 §5.2) keeps per segment: send time, whether retransmitted, SACKed, lost. A ring of parallel
 * primitive arrays of fixed capacity (a power of two); nothing allocates after construction.
 *
 * <p>Segments are appended as they are first sent, contiguous in sequence space. When the ring is full
 * {@link #append} refuses: the caller must then not send more new data (the log bounds the flight in segments).
 */
public final class SentSegmentLog implements SentSegments {

    private static final byte RETRANSMITTED = 1;
    private static final byte SACKED = 2;
    private static final byte LOST = 4;

    private final int mask;
    private final int[] starts;
    private final int[] ends;
    private final long[] xmitTimes;
    private final byte[] flags;
    private int head;
    private int size;
    /** Segments held with any flag set; 0 means {@link #allPlain()}. */
    private int marked;

    /** @param capacity segments held, a power of two of at least 2 */
    public SentSegmentLog(int capacity) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("sent-segment log capacity must be a power of two >= 2, got "
                    + capacity);
        }
        mask = capacity - 1;
        starts = new int[capacity];
        ends = new int[capacity];
        xmitTimes = new long[capacity];
        flags = new byte[capacity];
    }

    private int slot(int i) {
        return (head + i) & mask;
    }

    /**
     * Records a segment sent for the first time.
     *
     * @return false, recording nothing, when the log is full or the segment is empty
     */
    public boolean append(int startSeq, int endSeq, long now) {
        if (size == flags.length || !SeqNum.lt(startSeq, endSeq)) {
            return false;
        }
        int s = slot(size);
        starts[s] = startSeq;
        ends[s] = endSeq;
        xmitTimes[s] = now;
        flags[s] = 0;
        size++;
        return true;
    }

    /** Sets slot {@code s}'s flags, keeping {@link #marked} in step. */
    private void setFlags(int s, int newFlags) {
        byte old = flags[s];
        if (old == 0 && newFlags != 0) {
            marked++;
        } else if (old != 0 && newFlags == 0) {
            marked--;
        }
        flags[s] = (byte) newFlags;
    }

    @Override
    public boolean allPlain() {
        return marked == 0;
    }

    /** Segment {@code i} was sent again at {@code now}: it is retransmitted and no longer lost. */
    public void onRetransmitted(int i, long now) {
        int s = slot(i);
        xmitTimes[s] = now;
        setFlags(s, (flags[s] | RETRANSMITTED) & ~LOST);
    }

    /** Clears every SACKed mark (the receiver may have reneged, RFC 2018 §8). */
    public void forgetSacked() {
        for (int i = 0; i < size; i++) {
            int s = slot(i);
            setFlags(s, flags[s] & ~SACKED);
        }
    }

    /**
     * Drops the segments the cumulative acknowledgement {@code ack} covers entirely; a segment it covers in part
     * stays, starting at {@code ack}.
     *
     * @return the segments dropped
     */
    public int acknowledge(int ack) {
        int dropped = 0;
        while (size > 0 && SeqNum.le(ends[head], ack)) {
            setFlags(head, 0);
            head = (head + 1) & mask;
            size--;
            dropped++;
        }
        if (size > 0 && SeqNum.lt(starts[head], ack)) {
            starts[head] = ack;
        }
        return dropped;
    }

    /**
     * Marks SACKed every segment that [start, end) covers entirely.
     *
     * @return the segments newly marked
     */
    public int sack(int start, int end) {
        int marked = 0;
        for (int i = indexOf(start); i < size; i++) {
            int s = slot(i);
            if (SeqNum.gt(ends[s], end)) {
                break;
            }
            if (SeqNum.ge(starts[s], start) && (flags[s] & SACKED) == 0) {
                setFlags(s, flags[s] | SACKED);
                marked++;
            }
        }
        return marked;
    }

    /** Index of the first segment ending above {@code seq} (binary search; segments are in sequence order). */
    public int indexOf(int seq) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (SeqNum.le(ends[slot(mid)], seq)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Segments held that are SACKed. */
    public int sackedCount() {
        int n = 0;
        for (int i = 0; i < size; i++) {
            n += (flags[slot(i)] & SACKED) != 0 ? 1 : 0;
        }
        return n;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int startSeq(int i) {
        return starts[slot(i)];
    }

    @Override
    public int endSeq(int i) {
        return ends[slot(i)];
    }

    @Override
    public long xmitTime(int i) {
        return xmitTimes[slot(i)];
    }

    @Override
    public boolean retransmitted(int i) {
        return (flags[slot(i)] & RETRANSMITTED) != 0;
    }

    @Override
    public boolean sacked(int i) {
        return (flags[slot(i)] & SACKED) != 0;
    }

    @Override
    public boolean lost(int i) {
        return (flags[slot(i)] & LOST) != 0;
    }

    @Override
    public void markLost(int i) {
        int s = slot(i);
        setFlags(s, flags[s] | LOST);
    }
}
