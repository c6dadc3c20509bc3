package io.sluice.core.wire;

import static io.sluice.core.wire.TestFrames.hex;
import static io.sluice.core.wire.TestFrames.referenceChecksum;
import static io.sluice.core.wire.TestFrames.referenceSum;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Internet checksum against literal examples and a byte-at-a-time reference. */
class ChecksumTest {

    private static MemorySegment segment(byte[] bytes) {
        return MemorySegment.ofArray(bytes);
    }

    @Test
    void rfc1071Example() {
        // RFC 1071 §3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (one's complement), checksum 220d.
        byte[] data = hex("0001f203f4f5f6f7");
        assertEquals(0xddf2, Checksum.sum(segment(data), 0, data.length));
        assertEquals(0x220d, Checksum.compute(segment(data), 0, data.length));
        assertEquals(0xddf2, referenceSum(data, 0, data.length));
    }

    @Test
    void wellKnownIpv4Header() {
        // The IPv4 header 192.168.0.1 -> 192.168.0.199 whose checksum b861 is the standard worked example.
        byte[] header = hex("4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7");
        assertEquals(0xb861, Checksum.compute(segment(header), 0, header.length));
        assertEquals(0xb861, referenceChecksum(header, 0, header.length));
        TestFrames.put16(header, 10, 0xb861);
        assertEquals(0xffff, Checksum.sum(segment(header), 0, header.length), "a correct header sums to 0xffff");
        byte[] datagram = java.util.Arrays.copyOf(header, 0x73); // total length 115: header and 95 payload bytes
        assertEquals(WireError.OK, Ipv4.check(segment(datagram), 0, datagram.length, false));
    }

    @Test
    void edgeValues() {
        assertEquals(0, Checksum.sum(segment(new byte[0]), 0, 0));
        assertEquals(0xffff, Checksum.compute(segment(new byte[7]), 0, 7));
        byte[] ones = new byte[4096];
        java.util.Arrays.fill(ones, (byte) 0xff);
        assertEquals(0xffff, Checksum.sum(segment(ones), 0, ones.length));
        assertEquals(0xff00, Checksum.sum(segment(ones), 0, 1), "a lone byte is the high half of a word");
    }

    @Test
    void matchesReferenceOnRandomDataLengthsAndOffsets() {
        Random random = new Random(1071);
        byte[] data = new byte[4096 + 64];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment offHeap = arena.allocate(data.length);
            for (int round = 0; round < 3000; round++) {
                random.nextBytes(data);
                int from = random.nextInt(64);
                int length = round < 200 ? round : random.nextInt(4096);
                MemorySegment.copy(data, 0, offHeap, ValueLayout.JAVA_BYTE, 0, data.length);
                int expected = referenceSum(data, from, from + length);
                assertEquals(expected, Checksum.sum(offHeap, from, length), "offset " + from + " length " + length);
                assertEquals(expected, Checksum.sum(segment(data), from, length), "heap, length " + length);
            }
        }
    }

    @Test
    void piecesOfEvenLengthCombine() {
        Random random = new Random(7);
        byte[] data = new byte[1500];
        for (int round = 0; round < 500; round++) {
            random.nextBytes(data);
            int cut = random.nextInt(750) * 2;
            int combined = Checksum.add(Checksum.sum(segment(data), 0, cut),
                    Checksum.sum(segment(data), cut, data.length - 1 - cut));
            assertEquals(referenceSum(data, 0, data.length - 1), combined);
        }
    }

    @Test
    void pseudoHeaderMatchesTheBytes() {
        Random random = new Random(768);
        for (int round = 0; round < 1000; round++) {
            int source = random.nextInt();
            int destination = random.nextInt();
            int protocol = random.nextInt(256);
            int length = random.nextInt(65536);
            byte[] pseudo = new byte[12];
            TestFrames.put16(pseudo, 0, source >>> 16);
            TestFrames.put16(pseudo, 2, source);
            TestFrames.put16(pseudo, 4, destination >>> 16);
            TestFrames.put16(pseudo, 6, destination);
            pseudo[9] = (byte) protocol;
            TestFrames.put16(pseudo, 10, length);
            assertEquals(referenceSum(pseudo, 0, 12), Checksum.pseudoHeader4(source, destination, protocol, length));
        }
    }

    @Test
    void incrementalUpdateEqualsRecomputation() {
        Random random = new Random(1624);
        byte[] data = new byte[40];
        for (int round = 0; round < 20_000; round++) {
            random.nextBytes(data);
            data[0] = 0x45; // never all zero: the one case where RFC 1624 and recomputation legitimately differ
            int checksum = Checksum.compute(segment(data), 0, data.length);
            int at = 2 * (1 + random.nextInt(18));
            if (random.nextBoolean()) {
                int old = TestFrames.get16(data, at);
                int now = random.nextInt(4) == 0 ? ~old & 0xffff : random.nextInt(65536);
                TestFrames.put16(data, at, now);
                assertEquals(Checksum.compute(segment(data), 0, data.length), Checksum.update16(checksum, old, now));
            } else {
                at = Math.min(at, data.length - 4);
                int old = TestFrames.get16(data, at) << 16 | TestFrames.get16(data, at + 2);
                int now = random.nextInt();
                TestFrames.put16(data, at, now >>> 16);
                TestFrames.put16(data, at + 2, now);
                assertEquals(Checksum.compute(segment(data), 0, data.length), Checksum.update32(checksum, old, now));
            }
        }
    }
}
