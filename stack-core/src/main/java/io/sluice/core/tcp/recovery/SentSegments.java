package io.sluice.core.tcp.recovery;

/**
 * The segments sent and not yet cumulatively acknowledged, as {@link Rack} reads them: index 0 is the lowest in
 * sequence space. The state machine owns the list ({@link SentSegmentLog} is one); RACK only reads it and marks
 * segments lost.
 */
public interface SentSegments {

    /** Segments held. */
    int size();

    /** First sequence number of segment {@code i}. */
    int startSeq(int i);

    /** One past the last sequence number of segment {@code i}. */
    int endSeq(int i);

    /** When segment {@code i} was last (re)transmitted, in nanoseconds. */
    long xmitTime(int i);

    /** Whether segment {@code i} has been retransmitted. */
    boolean retransmitted(int i);

    /** Whether segment {@code i} has been selectively acknowledged. */
    boolean sacked(int i);

    /** Whether segment {@code i} is deemed lost and not retransmitted since. */
    boolean lost(int i);

    /** Marks segment {@code i} lost: it is to be retransmitted. */
    void markLost(int i);

    /**
     * Whether every segment held was sent once and is neither SACKed nor lost — the common case of a loss-free
     * flight, in which the segments are in send order and scans over them can stop at once. False when unknown.
     */
    default boolean allPlain() {
        return false;
    }
}
