package io.sluice.core.tcp.syn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * SipHash-2-4 against the published test vectors (key bytes 00..0f, message bytes 00, 01, ... of each length), and
 * the word form against the byte form for the same little-endian bytes.
 */
class SipHashTest {

    private static final byte[] KEY = sequence(16);
    private static final long K0 = SipHash.littleEndianWord(KEY, 0);
    private static final long K1 = SipHash.littleEndianWord(KEY, 8);

    private static byte[] sequence(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    private static long hashOfSequence(int length) {
        return SipHash.hash(K0, K1, sequence(length), 0, length);
    }

    @Test
    void keyWordsAreLittleEndian() {
        assertEquals(0x0706050403020100L, K0);
        assertEquals(0x0f0e0d0c0b0a0908L, K1);
    }

    @Test
    void matchesThePapersVector() {
        // Appendix A of the paper: the 15-byte message 00..0e under key 00..0f.
        assertEquals(0xa129ca6149be45e5L, hashOfSequence(15));
    }

    @Test
    void matchesTheReferenceVectorsAroundBlockBoundaries() {
        // The reference implementation's vectors for messages 00..len-1, as 64-bit little-endian outputs: the empty
        // message (only the length block), a tail of 1 and 7 bytes, exactly one block, and 7 blocks plus 7 bytes.
        assertEquals(0x726fdb47dd0e0e31L, hashOfSequence(0));
        assertEquals(0x74f839c593dc67fdL, hashOfSequence(1));
        assertEquals(0x0d6c8009d9a94f5aL, hashOfSequence(2));
        assertEquals(0xab0200f58b01d137L, hashOfSequence(7));
        assertEquals(0x93f5f5799a932462L, hashOfSequence(8));
        assertEquals(0x958a324ceb064572L, hashOfSequence(63));
    }

    @Test
    void readsOnlyTheGivenRangeOfTheArray() {
        byte[] padded = new byte[40];
        new Random(1).nextBytes(padded);
        System.arraycopy(sequence(15), 0, padded, 9, 15);
        assertEquals(0xa129ca6149be45e5L, SipHash.hash(K0, K1, padded, 9, 15));
        assertThrows(IndexOutOfBoundsException.class, () -> SipHash.hash(K0, K1, padded, 30, 15));
    }

    @Test
    void theWordFormHashesTheWordsLittleEndianBytes() {
        Random random = new Random(2012);
        for (int i = 0; i < 1000; i++) {
            long k0 = random.nextLong();
            long k1 = random.nextLong();
            long w0 = random.nextLong();
            long w1 = random.nextLong();
            long w2 = random.nextLong();
            byte[] bytes = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putLong(w0).putLong(w1).putLong(w2)
                    .array();
            assertEquals(SipHash.hash(k0, k1, bytes, 0, 8), SipHash.hash(k0, k1, w0));
            assertEquals(SipHash.hash(k0, k1, bytes, 0, 16), SipHash.hash(k0, k1, w0, w1));
            assertEquals(SipHash.hash(k0, k1, bytes, 0, 24), SipHash.hash(k0, k1, w0, w1, w2));
        }
    }

    @Test
    void theLengthIsPartOfTheInput() {
        // Trailing zero words change the hash: the final block carries the length.
        assertNotEquals(SipHash.hash(K0, K1, 5L), SipHash.hash(K0, K1, 5L, 0L));
        assertNotEquals(SipHash.hash(K0, K1, 5L, 0L), SipHash.hash(K0, K1, 5L, 0L, 0L));
    }

    @Test
    void everyKeyBitMatters() {
        long base = SipHash.hash(K0, K1, 1L, 2L);
        for (int bit = 0; bit < 64; bit++) {
            assertNotEquals(base, SipHash.hash(K0 ^ 1L << bit, K1, 1L, 2L), "k0 bit " + bit);
            assertNotEquals(base, SipHash.hash(K0, K1 ^ 1L << bit, 1L, 2L), "k1 bit " + bit);
        }
    }
}
