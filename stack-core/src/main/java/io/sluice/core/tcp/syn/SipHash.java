package io.sluice.core.tcp.syn;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012): a keyed 64-bit pseudorandom
 * function for short inputs, used here as the secret function F of initial sequence numbers (RFC 6528 §3) and as
 * the MAC of SYN cookies. The 128-bit key is two 64-bit words, {@code k0} from key bytes 0..7 and {@code k1} from
 * bytes 8..15, each read little-endian as the paper specifies.
 *
 * <p>Two input forms: a byte string, and one to three 64-bit words. The word form hashes exactly what the byte
 * form hashes for the words' little-endian bytes, so {@code hash(k0, k1, w0, w1)} equals the byte form over the 16
 * bytes of {@code w0} then {@code w1}; it only skips the byte array, so the callers allocate nothing.
 *
 * <p>Stateless and static: safe for any number of threads, allocation-free.
 */
public final class SipHash {

    /** Compression rounds per message block (the "2" of SipHash-2-4). */
    private static final int C_ROUNDS = 2;
    /** Finalization rounds (the "4"). */
    private static final int D_ROUNDS = 4;
    // The initial state constants: "somepseudorandomlygeneratedbytes" in ASCII, as the paper defines them.
    private static final long INIT0 = 0x736f6d6570736575L;
    private static final long INIT1 = 0x646f72616e646f6dL;
    private static final long INIT2 = 0x6c7967656e657261L;
    private static final long INIT3 = 0x7465646279746573L;
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);

    private SipHash() {}

    /** SipHash-2-4 of {@code length} bytes of {@code data} from {@code offset}. */
    public static long hash(long k0, long k1, byte[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        return run(k0, k1, data, offset, length, 0, 0, 0);
    }

    /** SipHash-2-4 of the 8 little-endian bytes of {@code w0}. */
    public static long hash(long k0, long k1, long w0) {
        return run(k0, k1, null, 0, Long.BYTES, w0, 0, 0);
    }

    /** SipHash-2-4 of the 16 little-endian bytes of {@code w0} then {@code w1}. */
    public static long hash(long k0, long k1, long w0, long w1) {
        return run(k0, k1, null, 0, 2 * Long.BYTES, w0, w1, 0);
    }

    /** SipHash-2-4 of the 24 little-endian bytes of {@code w0}, {@code w1} then {@code w2}. */
    public static long hash(long k0, long k1, long w0, long w1, long w2) {
        return run(k0, k1, null, 0, 3 * Long.BYTES, w0, w1, w2);
    }

    /** Reads a key word (or any 64-bit word) from 8 little-endian bytes, as the paper reads k0 and k1. */
    public static long littleEndianWord(byte[] bytes, int offset) {
        Objects.checkFromIndexSize(offset, Long.BYTES, bytes.length);
        return (long) LONG_LE.get(bytes, offset);
    }

    /**
     * The whole function, written once for both forms: message blocks come from {@code data} when it is not null,
     * else from the words (whose length is a multiple of 8, so their last block holds only the length byte).
     * The state lives in four locals because Java cannot return it from a round helper without an object.
     */
    private static long run(long k0, long k1, byte[] data, int offset, int length, long w0, long w1, long w2) {
        long v0 = k0 ^ INIT0;
        long v1 = k1 ^ INIT1;
        long v2 = k0 ^ INIT2;
        long v3 = k1 ^ INIT3;
        int fullBlocks = length >>> 3;
        // Steps 0..fullBlocks compress a block each (the last one holds the tail and the length); the step after
        // them is the finalization.
        for (int step = 0; step <= fullBlocks + 1; step++) {
            long m;
            int rounds;
            if (step <= fullBlocks) {
                m = step < fullBlocks ? block(data, offset, step, w0, w1, w2) : lastBlock(data, offset, length);
                v3 ^= m;
                rounds = C_ROUNDS;
            } else {
                m = 0;
                v2 ^= 0xff;
                rounds = D_ROUNDS;
            }
            for (int round = 0; round < rounds; round++) {
                v0 += v1;
                v1 = Long.rotateLeft(v1, 13);
                v1 ^= v0;
                v0 = Long.rotateLeft(v0, 32);
                v2 += v3;
                v3 = Long.rotateLeft(v3, 16);
                v3 ^= v2;
                v0 += v3;
                v3 = Long.rotateLeft(v3, 21);
                v3 ^= v0;
                v2 += v1;
                v1 = Long.rotateLeft(v1, 17);
                v1 ^= v2;
                v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= m;
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }

    private static long block(byte[] data, int offset, int index, long w0, long w1, long w2) {
        if (data != null) {
            return (long) LONG_LE.get(data, offset + index * Long.BYTES);
        }
        return index == 0 ? w0 : index == 1 ? w1 : w2;
    }

    /** The final block: the length modulo 256 in the top byte, the 0..7 bytes left over little-endian below. */
    private static long lastBlock(byte[] data, int offset, int length) {
        long b = (long) length << 56;
        if (data != null) {
            int tail = offset + (length & ~7);
            for (int i = 0; i < (length & 7); i++) {
                b |= (data[tail + i] & 0xffL) << (8 * i);
            }
        }
        return b;
    }
}
