package io.sluice.netty;

import io.netty.channel.IoOps;
import io.sluice.comms.SluicePoller;

/**
 * What a {@link SluiceIoHandle} asks its loop's {@link SluicePoller} to watch for: {@link #IN}, {@link #OUT} and
 * {@link #RDHUP}, in the poller's (Linux's) bits. Errors and hang-ups come whether asked for or not. Every
 * combination is a constant, so changing interest allocates nothing.
 */
public final class SluiceIoOps implements IoOps {

    private static final int KNOWN = SluicePoller.IN | SluicePoller.OUT | SluicePoller.RDHUP;
    private static final SluiceIoOps[] ALL = new SluiceIoOps[8];

    static {
        for (int i = 0; i < ALL.length; i++) {
            ALL[i] = new SluiceIoOps(((i & 1) != 0 ? SluicePoller.IN : 0) | ((i & 2) != 0 ? SluicePoller.OUT : 0)
                    | ((i & 4) != 0 ? SluicePoller.RDHUP : 0));
        }
    }

    /** Nothing: only errors and hang-ups. */
    public static final SluiceIoOps NONE = ALL[0];
    /** Readable: bytes, end of stream, or a connection to accept. */
    public static final SluiceIoOps IN = ALL[1];
    /** Writable: room in the send FIFO, or a connect that completed. */
    public static final SluiceIoOps OUT = ALL[2];
    /** The peer closed its side. */
    public static final SluiceIoOps RDHUP = ALL[4];

    private final int value;

    private SluiceIoOps(int value) {
        this.value = value;
    }

    /**
     * @param bits {@link SluicePoller#IN}, {@link SluicePoller#OUT}, {@link SluicePoller#RDHUP}, or'ed
     * @return the constant for them
     * @throws IllegalArgumentException for any other bit
     */
    public static SluiceIoOps valueOf(int bits) {
        if ((bits & ~KNOWN) != 0) {
            throw new IllegalArgumentException("Sluice IO ops 0x" + Integer.toHexString(bits)
                    + ": only IN, OUT and RDHUP can be asked for");
        }
        return ALL[index(bits)];
    }

    private static int index(int bits) {
        return ((bits & SluicePoller.IN) != 0 ? 1 : 0) | ((bits & SluicePoller.OUT) != 0 ? 2 : 0)
                | ((bits & SluicePoller.RDHUP) != 0 ? 4 : 0);
    }

    /** @return the poller bits */
    public int value() {
        return value;
    }

    /** @return whether every bit of {@code ops} is in these */
    public boolean contains(SluiceIoOps ops) {
        return (value & ops.value) == ops.value;
    }

    /** @return these with {@code ops} added */
    public SluiceIoOps with(SluiceIoOps ops) {
        return ALL[index(value | ops.value)];
    }

    /** @return these without {@code ops} */
    public SluiceIoOps without(SluiceIoOps ops) {
        return ALL[index(value & ~ops.value)];
    }

    @Override
    public String toString() {
        return "SluiceIoOps[" + SluiceIoEvent.describe(value) + "]";
    }
}
