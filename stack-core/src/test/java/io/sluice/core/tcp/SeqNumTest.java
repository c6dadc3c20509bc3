package io.sluice.core.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.util.AllocationMeter;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Sequence number comparisons modulo 2^32 (RFC 9293 §3.4, RFC 1982 §3.2), checked against a reference that works
 * in unbounded integers: {@code a < b} exactly when {@code b − a} modulo 2^32 is in {@code [1, 2^31)}.
 */
class SeqNumTest {

    private static final long MODULUS = 1L << 32;
    private static final long HALF = 1L << 31;
    private static final int[] AROUND_THE_WRAP = {0, 1, 2, 0x7fff_fffe, 0x7fff_ffff, 0x8000_0000, 0x8000_0001,
        0xffff_fffe, 0xffff_ffff};

    /** {@code b − a} modulo 2^32, in {@code [0, 2^32)}. */
    private static long ahead(int a, int b) {
        return Math.floorMod((b & 0xffff_ffffL) - (a & 0xffff_ffffL), MODULUS);
    }

    private static boolean referenceLt(int a, int b) {
        long d = ahead(a, b);
        return d >= 1 && d < HALF;
    }

    @Test
    void comparesAcrossTheWrap() {
        assertTrue(SeqNum.lt(0xffff_ffff, 0));
        assertTrue(SeqNum.gt(0, 0xffff_ffff));
        assertTrue(SeqNum.lt(0xffff_fff0, 0x10));
        assertTrue(SeqNum.le(5, 5));
        assertTrue(SeqNum.ge(5, 5));
        assertFalse(SeqNum.lt(5, 5));
        assertFalse(SeqNum.gt(5, 5));
        assertTrue(SeqNum.lt(0x7fff_ffff, 0x8000_0000), "signed overflow is not a wrap of sequence space");
        assertEquals(0x10, SeqNum.max(0xffff_fff0, 0x10));
        assertEquals(0xffff_fff0, SeqNum.min(0xffff_fff0, 0x10));
        assertEquals(0x20, SeqNum.distance(0xffff_fff0, 0x10));
        assertEquals(-0x20, SeqNum.distance(0x10, 0xffff_fff0));
        assertEquals(3, SeqNum.add(0xffff_fffe, 5));
        assertEquals(0xffff_ffffL, SeqNum.unsigned(-1));
    }

    @Test
    void agreesWithTheReferenceNearTheWrapAndAtRandom() {
        Random random = new Random(1982);
        int[] values = new int[AROUND_THE_WRAP.length + 200];
        System.arraycopy(AROUND_THE_WRAP, 0, values, 0, AROUND_THE_WRAP.length);
        for (int i = AROUND_THE_WRAP.length; i < values.length; i++) {
            values[i] = random.nextInt();
        }
        for (int a : values) {
            for (int delta : new int[] {-1, 0, 1, 1 << 30, -(1 << 30), 0x7fff_ffff, -0x7fff_ffff}) {
                int b = a + delta;
                check(a, b);
            }
            for (int b : values) {
                if (ahead(a, b) != HALF) {
                    check(a, b);
                }
            }
        }
    }

    private static void check(int a, int b) {
        String pair = Long.toHexString(SeqNum.unsigned(a)) + ", " + Long.toHexString(SeqNum.unsigned(b));
        assertEquals(referenceLt(a, b), SeqNum.lt(a, b), "lt " + pair);
        assertEquals(referenceLt(b, a), SeqNum.gt(a, b), "gt " + pair);
        assertEquals(a == b || referenceLt(a, b), SeqNum.le(a, b), "le " + pair);
        assertEquals(a == b || referenceLt(b, a), SeqNum.ge(a, b), "ge " + pair);
        assertEquals(referenceLt(a, b) ? b : a, SeqNum.max(a, b), "max " + pair);
        assertEquals(referenceLt(a, b) ? a : b, SeqNum.min(a, b), "min " + pair);
        long d = ahead(a, b);
        assertEquals(d < HALF ? d : d - MODULUS, SeqNum.distance(a, b), "distance " + pair);
    }

    @Test
    void numbersHalfTheSpaceApartHaveNoOrder() {
        // RFC 1982 §3.2 leaves the order of such a pair undefined; both directions say "less than" here.
        for (int a : AROUND_THE_WRAP) {
            int b = a + 0x8000_0000;
            assertTrue(SeqNum.lt(a, b) && SeqNum.lt(b, a), Long.toHexString(SeqNum.unsigned(a)));
        }
    }

    @Test
    void receiveWindowTestOfRfc9293() {
        // RCV.NXT =< SEG.SEQ < RCV.NXT + RCV.WND, with the window straddling the wrap.
        int rcvNxt = 0xffff_ff00;
        int rcvWnd = 0x200;
        assertTrue(SeqNum.inWindow(rcvNxt, rcvNxt, rcvWnd));
        assertTrue(SeqNum.inWindow(0xffff_ffff, rcvNxt, rcvWnd));
        assertTrue(SeqNum.inWindow(0, rcvNxt, rcvWnd));
        assertTrue(SeqNum.inWindow(0xff, rcvNxt, rcvWnd), "last byte of the window");
        assertFalse(SeqNum.inWindow(0x100, rcvNxt, rcvWnd), "first byte past the window");
        assertFalse(SeqNum.inWindow(rcvNxt - 1, rcvNxt, rcvWnd), "already received");
        assertFalse(SeqNum.inWindow(rcvNxt, rcvNxt, 0), "a zero window accepts nothing");
        assertTrue(SeqNum.inWindow(rcvNxt - 2, rcvNxt, -1), "a window of 2^32 - 1 takes all but one number");
        assertFalse(SeqNum.inWindow(rcvNxt - 1, rcvNxt, -1), "the one just before it");
        assertFalse(SeqNum.inWindow(rcvNxt - 1, rcvNxt, 0x7fff_ffff), "just before a window of 2^31 - 1");
    }

    @Test
    void acceptableAckTestOfRfc9293() {
        // SND.UNA < SEG.ACK =< SND.NXT, across the wrap.
        int sndUna = 0xffff_fff0;
        int sndNxt = 0x10;
        assertFalse(SeqNum.between(sndUna + 1, sndUna, sndNxt), "duplicate ACK");
        assertTrue(SeqNum.between(sndUna + 1, sndUna + 1, sndNxt));
        assertTrue(SeqNum.between(sndUna + 1, 0, sndNxt));
        assertTrue(SeqNum.between(sndUna + 1, sndNxt, sndNxt), "everything acknowledged");
        assertFalse(SeqNum.between(sndUna + 1, sndNxt + 1, sndNxt), "acknowledges data not yet sent");
        assertTrue(SeqNum.between(7, 7, 7));
        assertFalse(SeqNum.between(7, 8, 7));
        assertFalse(SeqNum.between(7, 6, 7));
    }

    @Test
    void comparisonsAllocateNothing() {
        int[] sink = new int[1];
        long allocated = AllocationMeter.allocatedInSteadyState(() -> {
            int x = sink[0];
            for (int i = 0; i < 100_000; i++) {
                x += SeqNum.lt(x, i) ? 1 : 0;
                x += SeqNum.between(i, x, i + 100) ? 2 : 0;
                x += SeqNum.inWindow(x, i, 1 << 20) ? 3 : 0;
                x = SeqNum.max(x, i) + SeqNum.distance(i, x);
            }
            sink[0] = x;
        });
        assertEquals(0, allocated);
    }
}
