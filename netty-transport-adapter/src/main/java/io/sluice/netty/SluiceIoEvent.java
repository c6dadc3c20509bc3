package io.sluice.netty;

import io.netty.channel.IoEvent;
import io.sluice.comms.SluicePoller;

/**
 * What the poller reported for a {@link SluiceIoHandle}: the bits of {@link SluicePoller#readyEvents(int)}. One
 * constant per combination, so dispatching allocates nothing.
 */
public final class SluiceIoEvent implements IoEvent {

    private static final int KNOWN = SluicePoller.IN | SluicePoller.OUT | SluicePoller.RDHUP | SluicePoller.ERR
            | SluicePoller.HUP;
    private static final SluiceIoEvent[] ALL = new SluiceIoEvent[32];

    static {
        for (int i = 0; i < ALL.length; i++) {
            ALL[i] = new SluiceIoEvent(bitsOf(i));
        }
    }

    private final int bits;

    private SluiceIoEvent(int bits) {
        this.bits = bits;
    }

    /**
     * @param bits poller bits ({@link SluicePoller#IN}, OUT, RDHUP, ERR, HUP; others are ignored)
     * @return the event for them
     */
    public static SluiceIoEvent of(int bits) {
        return ALL[index(bits & KNOWN)];
    }

    private static int index(int bits) {
        return ((bits & SluicePoller.IN) != 0 ? 1 : 0) | ((bits & SluicePoller.OUT) != 0 ? 2 : 0)
                | ((bits & SluicePoller.RDHUP) != 0 ? 4 : 0) | ((bits & SluicePoller.ERR) != 0 ? 8 : 0)
                | ((bits & SluicePoller.HUP) != 0 ? 16 : 0);
    }

    private static int bitsOf(int index) {
        return ((index & 1) != 0 ? SluicePoller.IN : 0) | ((index & 2) != 0 ? SluicePoller.OUT : 0)
                | ((index & 4) != 0 ? SluicePoller.RDHUP : 0) | ((index & 8) != 0 ? SluicePoller.ERR : 0)
                | ((index & 16) != 0 ? SluicePoller.HUP : 0);
    }

    /** @return the poller bits */
    public int bits() {
        return bits;
    }

    /** @return whether {@link SluicePoller#IN} is set */
    public boolean isReadable() {
        return (bits & SluicePoller.IN) != 0;
    }

    /** @return whether {@link SluicePoller#OUT} is set */
    public boolean isWritable() {
        return (bits & SluicePoller.OUT) != 0;
    }

    /** @return whether {@link SluicePoller#ERR} is set: a reset, or a failed connect */
    public boolean isError() {
        return (bits & SluicePoller.ERR) != 0;
    }

    /** @return whether {@link SluicePoller#HUP} is set */
    public boolean isHangUp() {
        return (bits & SluicePoller.HUP) != 0;
    }

    /** @return whether {@link SluicePoller#RDHUP} is set: the peer closed its side */
    public boolean isPeerClosed() {
        return (bits & SluicePoller.RDHUP) != 0;
    }

    static String describe(int bits) {
        StringBuilder s = new StringBuilder();
        String[] names = {"IN", "OUT", "RDHUP", "ERR", "HUP"};
        int index = index(bits);
        for (int i = 0; i < names.length; i++) {
            if ((index & (1 << i)) != 0) {
                s.append(s.isEmpty() ? "" : "|").append(names[i]);
            }
        }
        return s.isEmpty() ? "NONE" : s.toString();
    }

    @Override
    public String toString() {
        return "SluiceIoEvent[" + describe(bits) + "]";
    }
}
