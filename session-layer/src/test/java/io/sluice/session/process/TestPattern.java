package io.sluice.session.process;

import java.util.zip.CRC32;

/**
 * The byte stream the multi-process tests send: 1 MiB chunks of pseudo-random bytes (a 64-bit LCG, which the
 * kernel-side Python peer computes the same way, {@link #PYTHON}), each chunk starting with its own number (8 bytes,
 * big-endian), so a lost, doubled or misplaced chunk changes the stream and its CRC-32.
 */
final class TestPattern {

    static final int CHUNK = 1 << 20;
    private static final byte[] BLOCK = new byte[CHUNK];

    static {
        long x = 1;
        for (int i = 0; i < CHUNK; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            BLOCK[i] = (byte) (x >>> 56);
        }
    }

    /** The same stream in Python: {@code chunk(k)} and {@code stream_crc(n)}. */
    static final String PYTHON = """
            import zlib
            MASK = (1 << 64) - 1
            def _block():
                x = 1
                out = bytearray(1 << 20)
                for i in range(1 << 20):
                    x = (x * 6364136223846793005 + 1442695040888963407) & MASK
                    out[i] = x >> 56
                return out
            BLOCK = _block()
            def chunk(k):
                b = bytearray(BLOCK)
                b[0:8] = k.to_bytes(8, 'big')
                return bytes(b)
            """;

    private TestPattern() {
    }

    /** Fills {@code length} bytes of {@code out} from {@code offset} with the stream's bytes at {@code position}. */
    static void fill(long position, byte[] out, int offset, int length) {
        int done = 0;
        while (done < length) {
            long at = position + done;
            long chunk = at / CHUNK;
            int within = (int) (at % CHUNK);
            int n = Math.min(length - done, CHUNK - within);
            System.arraycopy(BLOCK, within, out, offset + done, n);
            for (int i = within; i < Math.min(8, within + n); i++) {
                out[offset + done + i - within] = (byte) (chunk >>> (56 - 8 * i));
            }
            done += n;
        }
    }

    /** The CRC-32 of the stream's first {@code length} bytes. */
    static long crc(long length) {
        CRC32 crc = new CRC32();
        byte[] buffer = new byte[CHUNK];
        for (long at = 0; at < length; at += CHUNK) {
            int n = (int) Math.min(CHUNK, length - at);
            fill(at, buffer, 0, n);
            crc.update(buffer, 0, n);
        }
        return crc.getValue();
    }
}
