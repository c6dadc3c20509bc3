package io.sluice.session.mq;

/**
 * How many producers a {@link MessageQueue} is formatted for. The creator decides, and every view follows the
 * header, so a view cannot use the cheaper single-producer claim on a queue others also post to.
 */
public enum Producers {

    /**
     * One producer thread at a time (an application worker posting to its own queue to a stack worker). Claims
     * are plain stores to the tail: no locked instruction, so the producer never stalls on the cache line the
     * consumer is reading.
     */
    SINGLE(1),

    /** Any number of producers, in any processes (several stack workers posting to one application worker). */
    MULTIPLE(2);

    private final int code;

    Producers(int code) {
        this.code = code;
    }

    /** The value stored in the queue's header. */
    int code() {
        return code;
    }

    /** The mode for a header value, or null if the value is none of them. */
    static Producers ofCode(int code) {
        for (Producers p : values()) {
            if (p.code == code) {
                return p;
            }
        }
        return null;
    }
}
