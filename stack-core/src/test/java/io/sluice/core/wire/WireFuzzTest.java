package io.sluice.core.wire;

import static io.sluice.core.wire.TestFrames.get16;
import static io.sluice.core.wire.TestFrames.put16;
import static io.sluice.core.wire.TestFrames.referenceChecksum;
import static io.sluice.core.wire.TestFrames.referenceSum;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A seeded mutation loop: known-good frames with bytes flipped, set to boundary values, truncated or extended,
 * then (often) their checksums repaired so the mutation reaches the deeper layers. Every frame goes through the
 * whole receive chain in a segment that ends exactly where the frame does, so any read past the frame throws.
 * Each result must be a code of the error table; no exception may escape. A failure prints the seed, the
 * iteration and the frame.
 */
class WireFuzzTest {

    private static final long SEED = 0x5_1ce_0001L;
    private static final int FRAMES = 200_000;
    private static final long TIME_LIMIT_NANOS = 20_000_000_000L;
    /** Where a TCP options area starts in an untagged frame without IPv4 options. */
    private static final int TCP_OPTIONS = 14 + 20 + Tcp.OPTIONS;
    private static final int[] BOUNDARY = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x08, 0x0b, 0x11, 0x14, 0x20,
        0x40, 0x45, 0x46, 0x4f, 0x7f, 0x80, 0x81, 0x86, 0x88, 0xa8, 0xdd, 0xe0, 0xfe, 0xff};

    @Test
    void mutatedFramesAlwaysGetAKnownResult() {
        byte[][] seeds = TestFrames.allGoodFrames();
        Random random = new Random(SEED);
        long[] histogram = new long[WireError.COUNT];
        long start = System.nanoTime();
        int frames = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(256);
            for (; frames < FRAMES && System.nanoTime() - start < TIME_LIMIT_NANOS; frames++) {
                byte[] seed = seeds[random.nextInt(seeds.length)];
                byte[] frame = Arrays.copyOf(seed, seed.length + 24);
                int length = mutate(frame, seed.length, random);
                if (random.nextInt(4) != 0) {
                    repairChecksums(frame, length, random.nextBoolean());
                }
                int offset = random.nextInt(8);
                MemorySegment.copy(frame, 0, memory, ValueLayout.JAVA_BYTE, offset, length);
                MemorySegment exact = memory.asSlice(0, offset + length);
                int result;
                try {
                    result = TestFrames.classify(exact, offset, length);
                    if (result == WireError.OK) {
                        readEverything(exact, offset);
                    }
                } catch (RuntimeException e) {
                    throw new AssertionError("seed " + SEED + " frame " + frames + ": "
                            + HexFormat.of().formatHex(frame, 0, length), e);
                }
                if (result < 0 || result >= WireError.COUNT) {
                    fail("seed " + SEED + " frame " + frames + ": unknown result " + result);
                }
                histogram[result]++;
            }
        }
        int distinct = 0;
        StringBuilder report = new StringBuilder();
        for (int code = 0; code < WireError.COUNT; code++) {
            if (histogram[code] > 0) {
                distinct++;
            }
            report.append(WireError.symbol(code)).append('=').append(histogram[code]).append(' ');
        }
        System.out.println(frames + " frames in " + (System.nanoTime() - start) / 1_000_000 + " ms: " + report);
        assertTrue(frames >= 50_000, "too few frames in the time limit: " + frames);
        assertTrue(distinct == WireError.COUNT, "mutations reached only " + distinct + " results: " + report);
        assertTrue(histogram[WireError.OK] > 0, report.toString());
    }


    /** Applies 1 to 4 mutations; returns the new length. */
    private static int mutate(byte[] frame, int length, Random random) {
        int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations; m++) {
            switch (random.nextInt(7)) {
                case 0 -> {
                    if (length > 0) {
                        frame[random.nextInt(length)] ^= (byte) (1 << random.nextInt(8));
                    }
                }
                case 1 -> {
                    if (length > 0) {
                        frame[random.nextInt(length)] = (byte) BOUNDARY[random.nextInt(BOUNDARY.length)];
                    }
                }
                case 2 -> {
                    // A header field most checks read: type, version/IHL, lengths, flags, protocol, ICMP type/code,
                    // TCP data offset and control bits.
                    int[] fields = {12, 13, 14, 16, 17, 20, 21, 23, 34, 35, 38, 39, 46, 47};
                    int at = fields[random.nextInt(fields.length)];
                    if (at < length) {
                        frame[at] = (byte) BOUNDARY[random.nextInt(BOUNDARY.length)];
                    }
                }
                case 3 -> length = random.nextInt(length + 1);
                case 4 -> {
                    int grown = Math.min(frame.length, length + random.nextInt(8));
                    for (int i = length; i < grown; i++) {
                        frame[i] = (byte) random.nextInt();
                    }
                    length = grown;
                }
                case 6 -> {
                    // A byte of a TCP options area: kinds and lengths are what the option parser reads.
                    if (length > TCP_OPTIONS && frame[23] == Ipv4.PROTOCOL_TCP) {
                        int at = TCP_OPTIONS + random.nextInt(Math.min(length - TCP_OPTIONS, Tcp.MAX_OPTIONS_LENGTH));
                        frame[at] = (byte) BOUNDARY[random.nextInt(BOUNDARY.length)];
                    }
                }
                default -> {
                    if (length > 1) {
                        frame[random.nextInt(length)] = (byte) random.nextInt();
                    }
                }
            }
        }
        return length;
    }

    /** Repairs the IPv4 header checksum, and the ICMP, UDP or TCP one when asked, wherever the lengths allow. */
    private static void repairChecksums(byte[] frame, int length, boolean transportToo) {
        if (length < 14) {
            return;
        }
        int ip = get16(frame, 12) == Ethernet.TYPE_VLAN ? 18 : 14;
        if (length < ip + 20) {
            return;
        }
        int headerLength = (frame[ip] & 0x0f) * 4;
        if (headerLength < 20 || ip + headerLength > length) {
            return;
        }
        put16(frame, ip + 10, 0);
        put16(frame, ip + 10, referenceChecksum(frame, ip, ip + headerLength));
        int total = get16(frame, ip + 2);
        if (!transportToo || total < headerLength || ip + total > length) {
            return;
        }
        int transport = ip + headerLength;
        int transportLength = total - headerLength;
        if (frame[ip + 9] == Ipv4.PROTOCOL_TCP && transportLength >= Tcp.MIN_HEADER_LENGTH) {
            TestFrames.fixTcpChecksum(frame, ip);
        } else if (frame[ip + 9] == Ipv4.PROTOCOL_ICMP && transportLength >= 4) {
            put16(frame, transport + 2, 0);
            put16(frame, transport + 2, referenceChecksum(frame, transport, ip + total));
        } else if (frame[ip + 9] == Ipv4.PROTOCOL_UDP && transportLength >= 8) {
            int udpLength = get16(frame, transport + 4);
            if (udpLength < 8 || udpLength > transportLength) {
                return;
            }
            put16(frame, transport + 6, 0);
            byte[] pseudo = new byte[12];
            System.arraycopy(frame, ip + 12, pseudo, 0, 8);
            pseudo[9] = Ipv4.PROTOCOL_UDP;
            put16(pseudo, 10, udpLength);
            int sum = referenceSum(pseudo, 0, 12) + referenceSum(frame, transport, transport + udpLength);
            sum = (sum & 0xffff) + (sum >>> 16);
            int checksum = ~sum & 0xffff;
            put16(frame, transport + 6, checksum == 0 ? 0xffff : checksum);
        }
    }

    /** Every accessor of every layer on an accepted frame: none may read outside it. */
    private static long readEverything(MemorySegment mem, long off) {
        long sink = Ethernet.destination(mem, off) + Ethernet.source(mem, off) + Ethernet.vlanId(mem, off);
        long next = off + Ethernet.headerLength(mem, off);
        if (Ethernet.payloadType(mem, off) == Ethernet.TYPE_ARP) {
            return sink + Arp.operation(mem, next) + Arp.senderMac(mem, next) + Arp.senderIp(mem, next)
                    + Arp.targetMac(mem, next) + Arp.targetIp(mem, next);
        }
        sink += Ipv4.identification(mem, next) + Ipv4.fragmentOffset(mem, next) + Ipv4.ttl(mem, next)
                + Ipv4.checksum(mem, next) + Ipv4.pseudoHeaderSum(mem, next);
        long transport = next + Ipv4.headerLength(mem, next);
        if (Ipv4.protocol(mem, next) == Ipv4.PROTOCOL_ICMP) {
            sink += Icmp4.type(mem, transport) + Icmp4.echoIdentifier(mem, transport)
                    + Icmp4.echoSequence(mem, transport);
            if (Icmp4.type(mem, transport) == Icmp4.TYPE_DESTINATION_UNREACHABLE) {
                sink += Ipv4.destination(mem, Icmp4.quotedIp(transport));
            }
        } else if (Ipv4.protocol(mem, next) == Ipv4.PROTOCOL_UDP) {
            sink += Udp.sourcePort(mem, transport) + Udp.destinationPort(mem, transport) + Udp.length(mem, transport);
        } else if (Ipv4.protocol(mem, next) == Ipv4.PROTOCOL_TCP) {
            sink += Tcp.sourcePort(mem, transport) + Tcp.destinationPort(mem, transport) + Tcp.sequence(mem, transport)
                    + Tcp.acknowledgment(mem, transport) + Tcp.flags(mem, transport) + Tcp.window(mem, transport)
                    + Tcp.checksum(mem, transport) + Tcp.urgentPointer(mem, transport)
                    + Tcp.optionsLength(mem, transport);
        }
        return sink;
    }
}
