package io.sluice.session.mq;

/**
 * One side's private positions in a {@link MessageQueue} view, padded to cache lines of their own: when the
 * producer and the consumer threads share a view (in one process), the producer's per-message tail update must
 * not invalidate the line holding the consumer's head, and the other way round. The padding sits in superclass
 * and subclass fields because the JVM lays out a class's own fields in an order of its choosing but keeps a
 * superclass's fields before a subclass's.
 */
final class Cursor extends CursorFields {
    long p11;
    long p12;
    long p13;
    long p14;
    long p15;
    long p16;
    long p17;
    long p18;
}

/** The cursor's fields, between the two paddings. */
abstract class CursorFields extends CursorPadding {
    /** The side's next position: the consumer's head, or a single producer's tail. */
    long position;
    /**
     * Producers only: the consumer's head as last read. Heads only grow, so a stale value is merely conservative.
     * Volatile so the long never tears between producer threads sharing a view.
     */
    volatile long cachedHead;
}

/** Padding before the cursor's fields. */
abstract class CursorPadding {
    long p01;
    long p02;
    long p03;
    long p04;
    long p05;
    long p06;
    long p07;
    long p08;
}
