package io.sluice.core.tcp;

/**
 * Sequence number arithmetic modulo 2^32 (RFC 9293 §3.4; serial number arithmetic as in RFC 1982 §3).
 *
 * <p>Sequence numbers are {@code int}s read straight from the header and wrap from 2^32 − 1 to 0. {@code a} is
 * "less than" {@code b} when {@code b} lies within the 2^31 − 1 numbers after {@code a}: the signed 32-bit
 * difference {@code a − b} is negative. That is the only sound comparison, because a connection's windows keep
 * every pair of numbers it compares within 2^30 of each other (RFC 7323 §2.3 caps the window below 2^30 for this
 * reason). Two numbers exactly 2^31 apart have no defined order (RFC 1982 §3.2); here each is "less than" the
 * other, and callers never compare such pairs.
 *
 * <p>Window tests of RFC 9293 §3.4 such as {@code RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND} are
 * {@link #inWindow}: one unsigned subtraction, correct across the wrap for any window up to 2^32 − 1.
 */
public final class SeqNum {

    private SeqNum() {}

    /** {@code a < b} modulo 2^32. */
    public static boolean lt(int a, int b) {
        return a - b < 0;
    }

    /** {@code a =< b} modulo 2^32. */
    public static boolean le(int a, int b) {
        return a - b <= 0;
    }

    /** {@code a > b} modulo 2^32. */
    public static boolean gt(int a, int b) {
        return a - b > 0;
    }

    /** {@code a >= b} modulo 2^32. */
    public static boolean ge(int a, int b) {
        return a - b >= 0;
    }

    /**
     * {@code low =< x =< high} modulo 2^32, counting from {@code low}: {@code x} is no further past {@code low}
     * than {@code high} is. For example the acceptable-ACK test {@code SND.UNA < SEG.ACK =< SND.NXT} is
     * {@code between(SND.UNA + 1, SEG.ACK, SND.NXT)}.
     */
    public static boolean between(int low, int x, int high) {
        return Integer.compareUnsigned(x - low, high - low) <= 0;
    }

    /**
     * {@code start =< x < start + length} modulo 2^32, {@code length} taken as unsigned (0 is an empty window).
     * The receive test {@code RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND} is {@code inWindow(SEG.SEQ, RCV.NXT, RCV.WND)}.
     */
    public static boolean inWindow(int x, int start, int length) {
        return Integer.compareUnsigned(x - start, length) < 0;
    }

    /** The later of {@code a} and {@code b}. */
    public static int max(int a, int b) {
        return lt(a, b) ? b : a;
    }

    /** The earlier of {@code a} and {@code b}. */
    public static int min(int a, int b) {
        return lt(a, b) ? a : b;
    }

    /**
     * How far {@code to} lies after {@code from}: {@code to − from} as a signed number, negative when {@code to}
     * is earlier. Exact while the two are less than 2^31 apart, which covers any bytes in flight or in a window.
     */
    public static int distance(int from, int to) {
        return to - from;
    }

    /**
     * Octets from {@code from} up to {@code to} counted forward, modulo 2^32: 0 to 2^32 − 1, never negative (a
     * {@code to} just before {@code from} is nearly 2^32 ahead). For ordering positions by how far they lie past a
     * base such as SND.UNA.
     */
    public static long unsignedDistance(int from, int to) {
        return Integer.toUnsignedLong(to - from);
    }

    /** {@code a + n} modulo 2^32, for {@code n} bytes (SYN and FIN count one each, RFC 9293 §3.4). */
    public static int add(int a, int n) {
        return a + n;
    }

    /** The sequence number as the unsigned value it is on the wire, for printing and logs. */
    public static long unsigned(int a) {
        return a & 0xffff_ffffL;
    }
}
