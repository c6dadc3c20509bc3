package io.sluice.session.segment;

/**
 * What the stack grants one application at most: the size of each FIFO, how many FIFO segments and how many bytes
 * of them.
 *
 * @param maxFifoBytes largest rx or tx FIFO capacity an application may ask for
 * @param maxSegments most FIFO segments one application holds at once
 * @param maxBytes most bytes of FIFO segments one application holds at once
 */
public record SegmentLimits(int maxFifoBytes, int maxSegments, long maxBytes) {

    /** 64 MiB FIFOs, 64 segments, 4 GiB per application. */
    public static final SegmentLimits DEFAULT = new SegmentLimits(64 << 20, 64, 4L << 30);

    /** All positive. */
    public SegmentLimits {
        if (maxFifoBytes < 1 || maxSegments < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("segment limits must be positive: max FIFO " + maxFifoBytes
                    + " bytes, " + maxSegments + " segments, " + maxBytes + " bytes");
        }
    }
}
