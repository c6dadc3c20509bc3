package io.sluice.core.tcp.recovery;

/**
 * 32-bit TCP sequence numbers compared modulo 2^32 (RFC 9293 §3.4): {@code a} is before {@code b} when the signed
 * difference {@code a - b} is negative, which holds while the two are less than 2^31 apart. Kept package-private
 * here so this package has no dependency on a shared sequence-number class that is being written in parallel.
 */
final class Seq {

    private Seq() {}

    static boolean lt(int a, int b) {
        return a - b < 0;
    }

    static boolean le(int a, int b) {
        return a - b <= 0;
    }

    static boolean gt(int a, int b) {
        return a - b > 0;
    }

    static boolean ge(int a, int b) {
        return a - b >= 0;
    }

    static int max(int a, int b) {
        return gt(a, b) ? a : b;
    }

    /** Octets from {@code from} up to {@code to}, as an unsigned distance (0 .. 2^32 - 1). */
    static long distance(int from, int to) {
        return Integer.toUnsignedLong(to - from);
    }
}
