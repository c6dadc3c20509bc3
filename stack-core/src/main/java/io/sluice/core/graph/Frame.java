package io.sluice.core.graph;

/**
 * A vector of up to {@link #CAPACITY} buffer indices: what nodes pass to each other. Frames belong to one worker's
 * graph, come from its preallocated pool and go back to it after the receiving node has processed them, so passing
 * packets never allocates.
 */
public final class Frame {

    /** Buffer indices a frame holds at most (VPP's VLIB_FRAME_SIZE). */
    public static final int CAPACITY = 256;

    private final int[] buffers = new int[CAPACITY];
    private int count;

    Frame() {}

    /** Number of buffers in the frame. */
    public int count() {
        return count;
    }

    /** The {@code i}-th buffer index, {@code 0 <= i < count()}. */
    public int buffer(int i) {
        if (i >= count) {
            throw new IndexOutOfBoundsException("buffer " + i + " of a frame of " + count);
        }
        return buffers[i];
    }

    /**
     * The backing array, for loops over {@code [0, count())} without a call per element. Read-only for nodes: the
     * graph owns it.
     */
    public int[] buffers() {
        return buffers;
    }

    boolean isFull() {
        return count == CAPACITY;
    }

    void add(int buffer) {
        buffers[count++] = buffer;
    }

    void clear() {
        count = 0;
    }
}
