package io.sluice.core.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * TCP options: each kind parsed from hand-written bytes, each malformed case named, nothing read past the area
 * (every area lives in a segment that ends where it does), and the emitters' bytes written out by hand.
 */
class TcpOptionsTest {

    private final TcpOptions options = new TcpOptions();

    /** Parses {@code hex} held in an off-heap segment of exactly its length. */
    private int parse(String hex, boolean syn) {
        byte[] bytes = TestFrames.hex(hex);
        try (Arena arena = Arena.ofConfined()) {
            return options.parse(TestFrames.offHeap(arena, bytes), 0, bytes.length, syn);
        }
    }

    private static String emitted(MemorySegment mem, int length) {
        return HexFormat.of().formatHex(mem.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void parsesTheOptionsOfASyn() {
        assertEquals(WireError.OK, parse("020405b4 0402080a 0a0b0c0d 00000000 01030307", true));
        assertTrue(options.hasMss());
        assertEquals(1460, options.mss());
        assertTrue(options.hasWindowScale());
        assertEquals(7, options.windowShift());
        assertFalse(options.windowShiftCapped());
        assertTrue(options.sackPermitted());
        assertTrue(options.hasTimestamps());
        assertEquals(0x0a0b0c0d, options.timestampValue());
        assertEquals(0, options.timestampEcho());
        assertEquals(0, options.sackBlocks());
    }

    @Test
    void parsesTimestampsAndEverySackBlockCount() {
        assertEquals(WireError.OK, parse("0101080a fffffffe 80000000", false));
        assertEquals(0xfffffffe, options.timestampValue());
        assertEquals(0x80000000, options.timestampEcho());
        assertEquals(0, options.sackBlocks());
        StringBuilder blocks = new StringBuilder();
        for (int n = 1; n <= TcpOptions.MAX_SACK_BLOCKS; n++) {
            blocks.append(String.format("%08x%08x", 0xfffffff0 + n, n * 0x100));
            String hex = String.format("0101 05%02x ", 2 + 8 * n) + blocks;
            assertEquals(WireError.OK, parse(hex, false), hex);
            assertEquals(n, options.sackBlocks());
            for (int i = 0; i < n; i++) {
                assertEquals(0xfffffff0 + i + 1, options.sackLeft(i));
                assertEquals((i + 1) * 0x100, options.sackRight(i));
            }
            assertFalse(options.hasTimestamps(), "reset between segments");
        }
    }

    @Test
    void windowShiftAbove14IsUsedAs14AndFlagged() {
        for (int shift : new int[] {0, 13, 14, 15, 16, 255}) {
            assertEquals(WireError.OK, parse(String.format("01 0303%02x", shift), true));
            assertEquals(Math.min(shift, 14), options.windowShift(), "shift " + shift);
            assertEquals(shift > 14, options.windowShiftCapped(), "shift " + shift);
        }
    }

    @Test
    void synOnlyOptionsAreIgnoredWithoutSyn() {
        assertEquals(WireError.OK, parse("020405b4 01030307 01010402", false));
        assertFalse(options.hasMss());
        assertFalse(options.hasWindowScale());
        assertFalse(options.sackPermitted());
        // Ignored means skipped by length like an unknown kind: a wrong length there does not matter either,
        assertEquals(WireError.OK, parse("02050000 00", false));
        // but the length must still be sound.
        assertEquals(WireError.TCP_OPTION_BAD_LENGTH, parse("0201", false));
    }

    @Test
    void endOfOptionListEndsParsingAndUnknownKindsAreSkipped() {
        assertEquals(WireError.OK, parse("020405b4 00 ff0000", true));
        assertEquals(1460, options.mss());
        assertEquals(WireError.OK, parse("00 020405b4", true), "after EOL only padding");
        assertFalse(options.hasMss());
        assertEquals(WireError.OK, parse("fe04abcd 1e02 01 01 0204ffff 1f02", true));
        assertEquals(0xffff, options.mss());
        assertEquals(WireError.OK, parse("", true));
        assertEquals(WireError.OK, parse("01010101", false));
    }

    @Test
    void malformedOptionsAreNamed() {
        String[][] cases = {
            // Kind in the last byte: no length.
            {"TCP_OPTION_TRUNCATED", "010102"},
            {"TCP_OPTION_TRUNCATED", "fe"},
            // Length past the end of the area.
            {"TCP_OPTION_TRUNCATED", "0204"},
            {"TCP_OPTION_TRUNCATED", "0101080a 00000000 000000"},
            {"TCP_OPTION_TRUNCATED", "fe0a0000"},
            // Lengths that cannot cover kind and length.
            {"TCP_OPTION_BAD_LENGTH", "0200"},
            {"TCP_OPTION_BAD_LENGTH", "0201b4"},
            {"TCP_OPTION_BAD_LENGTH", "fe00 0000"},
            {"TCP_OPTION_BAD_LENGTH", "080100"},
            // Known kinds with the wrong length.
            {"TCP_OPTION_WRONG_LENGTH", "020305"},
            {"TCP_OPTION_WRONG_LENGTH", "02050000 00"},
            {"TCP_OPTION_WRONG_LENGTH", "030207"},
            {"TCP_OPTION_WRONG_LENGTH", "03040700"},
            {"TCP_OPTION_WRONG_LENGTH", "0403 00"},
            {"TCP_OPTION_WRONG_LENGTH", "0502"},
            {"TCP_OPTION_WRONG_LENGTH", "0509 0000000000000000"},
            {"TCP_OPTION_WRONG_LENGTH", "050b 0000000000000000 00"},
            {"TCP_OPTION_WRONG_LENGTH", "052a " + "00".repeat(40)},
            {"TCP_OPTION_WRONG_LENGTH", "0808 000000000000"},
            {"TCP_OPTION_WRONG_LENGTH", "080b 0000000000000000 00"},
            // The same known kind twice.
            {"TCP_OPTION_DUPLICATE", "020405b4 020405b4"},
            {"TCP_OPTION_DUPLICATE", "01030307 01030308"},
            {"TCP_OPTION_DUPLICATE", "0402 0402"},
            {"TCP_OPTION_DUPLICATE", "0101080a 00000001 00000002 0101080a 00000001 00000002"},
            {"TCP_OPTION_DUPLICATE", "050a 0000000100000002 050a 0000000300000004"},
        };
        for (String[] c : cases) {
            assertEquals(c[0], WireError.symbol(parse(c[1], true)), c[1]);
        }
    }

    @Test
    void randomAreasNeverThrowAndAlwaysGetANamedResult() {
        Set<Integer> results = Set.of(WireError.OK, WireError.TCP_OPTION_TRUNCATED, WireError.TCP_OPTION_BAD_LENGTH,
                WireError.TCP_OPTION_WRONG_LENGTH, WireError.TCP_OPTION_DUPLICATE);
        Random random = new Random(0x7c9_0b75L);
        int[] kinds = {0, 1, 2, 3, 4, 5, 8, 30, 254};
        long[] seen = new long[WireError.COUNT];
        try (Arena arena = Arena.ofConfined()) {
            for (int round = 0; round < 100_000; round++) {
                byte[] area = new byte[random.nextInt(Tcp.MAX_OPTIONS_LENGTH + 1)];
                for (int i = 0; i < area.length; i++) {
                    // Mostly plausible kinds and small lengths, so the deeper rules are reached.
                    area[i] = (byte) (random.nextBoolean() ? kinds[random.nextInt(kinds.length)] : random.nextInt(16));
                }
                MemorySegment exact = TestFrames.offHeap(arena, area);
                int result = options.parse(exact, 0, area.length, random.nextBoolean());
                assertTrue(results.contains(result), HexFormat.of().formatHex(area) + " gave " + result);
                seen[result]++;
            }
        }
        for (int code : results) {
            assertTrue(seen[code] > 0, "never " + WireError.symbol(code));
        }
    }

    @Test
    void emitsSynOptionsAs4ByteAlignedWords() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mem = arena.allocate(Tcp.MAX_OPTIONS_LENGTH);
            int n = TcpOptions.emitSyn(mem, 0, 1460, 7, true, true, 0x0a0b0c0d, 0);
            assertEquals("020405b4" + "0402080a" + "0a0b0c0d" + "00000000" + "01030307", emitted(mem, n));
            n = TcpOptions.emitSyn(mem, 0, 8960, 14, false, true, 1, 0xfedcba98);
            assertEquals("02042300" + "0101080a" + "00000001" + "fedcba98" + "0103030e", emitted(mem, n));
            n = TcpOptions.emitSyn(mem, 0, 536, 0, true, false, 0, 0);
            assertEquals("02040218" + "01010402" + "01030300", emitted(mem, n));
            n = TcpOptions.emitSyn(mem, 0, 1460, TcpOptions.NO_WINDOW_SCALE, false, false, 0, 0);
            assertEquals("020405b4", emitted(mem, n));
            n = TcpOptions.emitSyn(mem, 0, 1460, 20, false, false, 0, 0);
            assertEquals("020405b4" + "0103030e", emitted(mem, n), "a shift above 14 is sent as 14");

            // What was written parses back to what was asked for.
            n = TcpOptions.emitSyn(mem, 0, 1400, 9, true, true, 77, 88);
            assertEquals(WireError.OK, options.parse(mem, 0, n, true));
            assertEquals(1400, options.mss());
            assertEquals(9, options.windowShift());
            assertTrue(options.sackPermitted());
            assertEquals(77, options.timestampValue());
            assertEquals(88, options.timestampEcho());
        }
    }

    @Test
    void emitsSegmentOptionsWithAsManySackBlocksAsFit() {
        int[] edges = {0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mem = arena.allocate(Tcp.MAX_OPTIONS_LENGTH);
            assertEquals(0, TcpOptions.emitSegment(mem, 0, false, 0, 0, edges, 0));
            int n = TcpOptions.emitSegment(mem, 0, true, 0x11223344, 0x55667788, edges, 0);
            assertEquals("0101080a" + "11223344" + "55667788", emitted(mem, n));
            n = TcpOptions.emitSegment(mem, 0, false, 0, 0, edges, 4);
            assertEquals("0101" + "0522" + "0000001000000020" + "0000003000000040" + "0000005000000060"
                    + "0000007000000080", emitted(mem, n));
            n = TcpOptions.emitSegment(mem, 0, true, 1, 2, edges, 4);
            assertEquals(Tcp.MAX_OPTIONS_LENGTH, n, "timestamps leave room for three blocks");
            assertEquals("0101080a" + "00000001" + "00000002" + "0101" + "051a" + "0000001000000020"
                    + "0000003000000040" + "0000005000000060", emitted(mem, n));
            assertEquals(WireError.OK, options.parse(mem, 0, n, false));
            assertEquals(3, options.sackBlocks());
            assertEquals(0x50, options.sackLeft(2));
            assertEquals(0x60, options.sackRight(2));
            assertEquals(2, options.timestampEcho());
            assertArrayEquals(new int[] {0x10, 0x20}, new int[] {options.sackLeft(0), options.sackRight(0)});
        }
    }
}
