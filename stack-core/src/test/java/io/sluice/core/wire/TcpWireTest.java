package io.sluice.core.wire;

import static io.sluice.core.wire.TestFrames.IP_A;
import static io.sluice.core.wire.TestFrames.IP_B;
import static io.sluice.core.wire.TestFrames.MAC_A;
import static io.sluice.core.wire.TestFrames.MAC_B;
import static io.sluice.core.wire.TestFrames.fixTcpChecksum;
import static io.sluice.core.wire.TestFrames.put16;
import static io.sluice.core.wire.TestFrames.referenceChecksum;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The TCP header: fields read from hand-built segments, emitted segments equal to them byte for byte (their
 * checksums come from the by-the-book reference sum), and every check verdict reached.
 */
class TcpWireTest {

    private static final int IP = 14;
    private static final int TCP = 34;

    private static int classify(byte[] frame) {
        try (Arena arena = Arena.ofConfined()) {
            return TestFrames.classify(TestFrames.offHeap(arena, frame), 0, frame.length);
        }
    }

    /** A segment with {@code options} (hex, a multiple of 4 bytes) in a SYN, checksum fixed. */
    private static byte[] synWithOptions(String options) {
        int words = 5 + TestFrames.hex(options).length / 4;
        return TestFrames.tcp("9c40 0050 00000001 00000000 " + String.format("%x002", words) + " ffff 0000 0000"
                + options, new byte[0]);
    }

    @Test
    void readsTheFieldsOfTheHandBuiltSegments() {
        MemorySegment syn = MemorySegment.ofArray(TestFrames.tcpSyn());
        assertEquals(WireError.OK, Tcp.check(syn, TCP, 40, IP_A, IP_B, false));
        assertEquals(40000, Tcp.sourcePort(syn, TCP));
        assertEquals(80, Tcp.destinationPort(syn, TCP));
        assertEquals(0x01020304, Tcp.sequence(syn, TCP));
        assertEquals(0, Tcp.acknowledgment(syn, TCP));
        assertEquals(10, Tcp.dataOffset(syn, TCP));
        assertEquals(40, Tcp.headerLength(syn, TCP));
        assertEquals(20, Tcp.optionsLength(syn, TCP));
        assertEquals(Tcp.SYN, Tcp.flags(syn, TCP));
        assertTrue(Tcp.hasFlags(syn, TCP, Tcp.SYN));
        assertFalse(Tcp.hasFlags(syn, TCP, Tcp.SYN | Tcp.ACK));
        assertEquals(64240, Tcp.window(syn, TCP));
        assertEquals(0, Tcp.urgentPointer(syn, TCP));

        byte[] dataFrame = TestFrames.tcpData();
        MemorySegment data = MemorySegment.ofArray(dataFrame);
        assertEquals(WireError.OK, Tcp.check(data, TCP, 44 + 11, IP_A, IP_B, false));
        assertEquals(0x01020305, Tcp.sequence(data, TCP));
        assertEquals(0xc0000001, Tcp.acknowledgment(data, TCP));
        assertEquals(44, Tcp.headerLength(data, TCP));
        assertEquals(Tcp.PSH | Tcp.ACK, Tcp.flags(data, TCP));
        assertEquals(501, Tcp.window(data, TCP));
        int expected = TestFrames.get16(dataFrame, TCP + 16);
        assertEquals(expected, Tcp.checksum(data, TCP));
    }

    @Test
    void flagBitsAreWhereRfc9293AndRfc3168PutThem() {
        // Byte 13, most significant bit first: CWR ECE URG ACK PSH RST SYN FIN.
        int[] flags = {Tcp.FIN, Tcp.SYN, Tcp.RST, Tcp.PSH, Tcp.ACK, Tcp.URG, Tcp.ECE, Tcp.CWR};
        for (int bit = 0; bit < flags.length; bit++) {
            assertEquals(1 << bit, flags[bit]);
        }
    }

    @Test
    void emitWritesTheHandBuiltSynByteForByte() {
        byte[] expected = TestFrames.tcpSyn();
        byte[] frame = new byte[expected.length];
        MemorySegment mem = MemorySegment.ofArray(frame);
        int length = Ethernet.emit(mem, 0, MAC_B, MAC_A, Ethernet.TYPE_IPV4);
        length += Ipv4.emit(mem, length, expected.length - IP, 0x1234, true, 64, Ipv4.PROTOCOL_TCP, IP_A, IP_B);
        int options = TcpOptions.emitSyn(mem, length + Tcp.OPTIONS, 1460, 7, true, true, 0x0a0b0c0d, 0);
        assertEquals(20, options);
        assertEquals(40, Tcp.emit(mem, length, 40000, 80, 0x01020304, 0, Tcp.SYN, 64240, options, 0, IP_A, IP_B));
        assertArrayEquals(expected, frame, "the SYN built by hand");
    }

    @Test
    void emitWritesTheHandBuiltDataSegmentByteForByte() {
        byte[] expected = TestFrames.tcpData();
        byte[] frame = new byte[expected.length];
        MemorySegment mem = MemorySegment.ofArray(frame);
        int payload = 11;
        System.arraycopy(expected, expected.length - payload, frame, expected.length - payload, payload);
        int length = Ethernet.emit(mem, 0, MAC_B, MAC_A, Ethernet.TYPE_IPV4);
        length += Ipv4.emit(mem, length, expected.length - IP, 0x1234, true, 64, Ipv4.PROTOCOL_TCP, IP_A, IP_B);
        int options = TcpOptions.emitSegment(mem, length + Tcp.OPTIONS, true, 0x0a0b0c0e, 0xabcd,
                new int[] {0xc0000100, 0xc0000200}, 1);
        assertEquals(24, options);
        assertEquals(44, Tcp.emit(mem, length, 40000, 80, 0x01020305, 0xc0000001, Tcp.PSH | Tcp.ACK, 501, options,
                payload, IP_A, IP_B));
        assertArrayEquals(expected, frame);
    }

    @Test
    void checksumMatchesTheReferenceForEveryPayloadLengthAndOddOffsets() {
        Random random = new Random(42);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mem = arena.allocate(2048);
            for (int payload = 0; payload <= 1460; payload += payload < 40 ? 1 : 97) {
                for (int off = 0; off < 2; off++) {
                    byte[] bytes = new byte[Tcp.MIN_HEADER_LENGTH + payload];
                    random.nextBytes(bytes);
                    MemorySegment.copy(MemorySegment.ofArray(bytes), 0, mem, off, bytes.length);
                    int seq = random.nextInt();
                    int ack = random.nextInt();
                    Tcp.emit(mem, off, 1, 65535, seq, ack, Tcp.ACK, 1000, 0, payload, IP_A, IP_B);
                    byte[] segment = mem.asSlice(off, bytes.length).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                    assertEquals(referenceTcpChecksum(segment), Tcp.checksum(mem, off), "payload " + payload);
                    assertEquals(WireError.OK, Tcp.check(mem, off, bytes.length, IP_A, IP_B, false));
                    assertEquals(seq, Tcp.sequence(mem, off));
                    assertEquals(ack, Tcp.acknowledgment(mem, off));
                }
            }
        }
    }

    /** Checksum field of {@code segment} computed by the reference sum over pseudo-header and segment. */
    private static int referenceTcpChecksum(byte[] segment) {
        byte[] pseudo = new byte[12 + segment.length];
        put16(pseudo, 0, IP_A >>> 16);
        put16(pseudo, 2, IP_A & 0xffff);
        put16(pseudo, 4, IP_B >>> 16);
        put16(pseudo, 6, IP_B & 0xffff);
        pseudo[9] = Ipv4.PROTOCOL_TCP;
        put16(pseudo, 10, segment.length);
        System.arraycopy(segment, 0, pseudo, 12, segment.length);
        pseudo[12 + 16] = 0;
        pseudo[12 + 17] = 0;
        return referenceChecksum(pseudo, 0, pseudo.length);
    }

    @Test
    void payloadSumOfAChainGivesTheSameChecksumAsContiguousData() {
        Random random = new Random(7);
        byte[] payload = new byte[1001];
        random.nextBytes(payload);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment contiguous = arena.allocate(20 + payload.length);
            MemorySegment.copy(MemorySegment.ofArray(payload), 0, contiguous, 20, payload.length);
            Tcp.emit(contiguous, 0, 5000, 6000, 7, 8, Tcp.ACK | Tcp.PSH, 9, 0, payload.length, IP_A, IP_B);

            // The same payload in three pieces elsewhere, the first two of even length.
            MemorySegment pieces = arena.allocate(2048);
            int[] cuts = {0, 600, 800, payload.length};
            int sum = 0;
            for (int i = 0; i + 1 < cuts.length; i++) {
                long at = 100 + 300L * i + 1;
                int n = cuts[i + 1] - cuts[i];
                MemorySegment.copy(MemorySegment.ofArray(payload), cuts[i], pieces, at, n);
                sum = Checksum.add(sum, Checksum.sum(pieces, at, n));
            }
            MemorySegment header = arena.allocate(20);
            Tcp.emitWithPayloadSum(header, 0, 5000, 6000, 7, 8, Tcp.ACK | Tcp.PSH, 9, 0, payload.length, sum, IP_A,
                    IP_B);
            assertEquals(Tcp.checksum(contiguous, 0), Tcp.checksum(header, 0));
            assertEquals(WireError.OK, Tcp.check(contiguous, 0, 20 + payload.length, IP_A, IP_B, false));
        }
    }

    @Test
    void checksumCoversThePseudoHeaderAndCanBeLeftToTheDevice() {
        MemorySegment syn = MemorySegment.ofArray(TestFrames.tcpSyn());
        assertEquals(WireError.TCP_BAD_CHECKSUM, Tcp.check(syn, TCP, 40, IP_A, IP_B + 1, false));
        assertEquals(WireError.TCP_BAD_CHECKSUM, Tcp.check(syn, TCP, 40, IP_B, IP_A + 0x100, false));
        assertEquals(WireError.OK, Tcp.check(syn, TCP, 40, IP_A, IP_B + 1, true));
        // Unlike UDP, a zero checksum field means nothing special.
        byte[] frame = TestFrames.tcpSyn();
        put16(frame, TCP + 16, 0);
        assertEquals(WireError.TCP_BAD_CHECKSUM, classify(frame));
    }

    @Test
    void onlySynWithFinIsRejectedAmongFlagCombinations() {
        for (int flags = 0; flags < 256; flags++) {
            byte[] frame = TestFrames.tcpSyn();
            frame[TCP + 13] = (byte) flags;
            fixTcpChecksum(frame, IP);
            boolean synFin = (flags & (Tcp.SYN | Tcp.FIN)) == (Tcp.SYN | Tcp.FIN);
            int expected = synFin ? WireError.TCP_BAD_FLAGS : WireError.OK;
            MemorySegment mem = MemorySegment.ofArray(frame);
            assertEquals(expected, Tcp.check(mem, TCP, 40, IP_A, IP_B, false), "flags " + flags);
        }
    }

    @Test
    void dataOffsetMustCoverTheHeaderAndFitTheSegment() {
        byte[] frame = TestFrames.tcpSyn();
        MemorySegment mem = MemorySegment.ofArray(frame);
        for (int words = 0; words < 16; words++) {
            frame[TCP + 12] = (byte) (words << 4 | 0x0f); // reserved bits set: ignored on receive
            int result = Tcp.check(mem, TCP, 40, IP_A, IP_B, true);
            assertEquals(words >= 5 && words <= 10 ? WireError.OK : WireError.TCP_BAD_DATA_OFFSET, result,
                    "data offset " + words);
        }
    }

    /** One crafted frame per {@code TCP_*} verdict, through the whole receive chain. */
    static void craftedRejects(WireChecksTest.Rejects rejects) {
        byte[] f = Arrays.copyOf(TestFrames.tcpSyn(), TCP + 19);
        put16(f, IP + 2, 20 + 19);
        WireChecksTest.fixIp(f, IP);
        rejects.expect(WireError.TCP_TOO_SHORT, f);

        f = TestFrames.tcpSyn();
        f[TCP + 12] = 0x40;
        fixTcpChecksum(f, IP);
        rejects.expect(WireError.TCP_BAD_DATA_OFFSET, f);
        f = TestFrames.tcpSyn();
        f[TCP + 12] = (byte) 0xb0;
        fixTcpChecksum(f, IP);
        rejects.expect(WireError.TCP_BAD_DATA_OFFSET, f);

        f = TestFrames.tcpData();
        f[f.length - 1] ^= 0x10;
        rejects.expect(WireError.TCP_BAD_CHECKSUM, f);

        f = TestFrames.tcpSyn();
        f[TCP + 13] = Tcp.SYN | Tcp.FIN;
        fixTcpChecksum(f, IP);
        rejects.expect(WireError.TCP_BAD_FLAGS, f);

        rejects.expect(WireError.TCP_OPTION_TRUNCATED, synWithOptions("020405b4 01010102"));
        rejects.expect(WireError.TCP_OPTION_TRUNCATED, synWithOptions("020405b4 01010204"));
        rejects.expect(WireError.TCP_OPTION_BAD_LENGTH, synWithOptions("02000000"));
        rejects.expect(WireError.TCP_OPTION_BAD_LENGTH, synWithOptions("fe010000"));
        rejects.expect(WireError.TCP_OPTION_WRONG_LENGTH, synWithOptions("02050000 05000000"));
        rejects.expect(WireError.TCP_OPTION_DUPLICATE, synWithOptions("020405b4 020405b4"));
    }
}
