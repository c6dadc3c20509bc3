package io.sluice.core.wire;

import static io.sluice.core.wire.TestFrames.IP_A;
import static io.sluice.core.wire.TestFrames.IP_B;
import static io.sluice.core.wire.TestFrames.MAC_A;
import static io.sluice.core.wire.TestFrames.MAC_B;
import static io.sluice.core.wire.TestFrames.get16;
import static io.sluice.core.wire.TestFrames.put16;
import static io.sluice.core.wire.TestFrames.referenceChecksum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The checks accept the known-good frames, read their fields right, and reach every rejection reason. */
class WireChecksTest {

    private static final int IP = 14;

    private static int classify(byte[] frame) {
        try (Arena arena = Arena.ofConfined()) {
            return TestFrames.classify(TestFrames.offHeap(arena, frame), 0, frame.length);
        }
    }

    static void fixIp(byte[] frame, int ip) {
        put16(frame, ip + 10, 0);
        put16(frame, ip + 10, referenceChecksum(frame, ip, ip + (frame[ip] & 0x0f) * 4));
    }

    private static void fixIcmp(byte[] frame, int ip) {
        int icmp = ip + (frame[ip] & 0x0f) * 4;
        int end = ip + get16(frame, ip + 2);
        put16(frame, icmp + 2, 0);
        put16(frame, icmp + 2, referenceChecksum(frame, icmp, end));
    }

    @Test
    void acceptsTheKnownGoodFramesAndReadsTheirFields() {
        for (byte[] frame : TestFrames.allGoodFrames()) {
            assertEquals(WireError.OK, classify(frame), HexDump.of(frame));
        }
        MemorySegment arp = MemorySegment.ofArray(TestFrames.arpRequest());
        assertEquals(MacAddress.BROADCAST, Ethernet.destination(arp, 0));
        assertEquals(MAC_A, Ethernet.source(arp, 0));
        assertEquals(Ethernet.TYPE_ARP, Ethernet.etherType(arp, 0));
        assertEquals(Ethernet.NO_VLAN, Ethernet.vlanId(arp, 0));
        assertEquals(Arp.OP_REQUEST, Arp.operation(arp, IP));
        assertEquals(MAC_A, Arp.senderMac(arp, IP));
        assertEquals(IP_A, Arp.senderIp(arp, IP));
        assertEquals(0L, Arp.targetMac(arp, IP));
        assertEquals(IP_B, Arp.targetIp(arp, IP));
        assertFalse(Arp.isGratuitous(arp, IP));
        assertFalse(Arp.isProbe(arp, IP));

        MemorySegment ping = MemorySegment.ofArray(TestFrames.icmpEchoRequest());
        assertEquals(4, Ipv4.version(ping, IP));
        assertEquals(20, Ipv4.headerLength(ping, IP));
        assertFalse(Ipv4.hasOptions(ping, IP));
        assertEquals(84, Ipv4.totalLength(ping, IP));
        assertEquals(64, Ipv4.payloadLength(ping, IP));
        assertEquals(0x1234, Ipv4.identification(ping, IP));
        assertTrue(Ipv4.dontFragment(ping, IP));
        assertFalse(Ipv4.moreFragments(ping, IP));
        assertEquals(0, Ipv4.fragmentOffset(ping, IP));
        assertEquals(64, Ipv4.ttl(ping, IP));
        assertEquals(Ipv4.PROTOCOL_ICMP, Ipv4.protocol(ping, IP));
        assertEquals(IP_A, Ipv4.source(ping, IP));
        assertEquals(IP_B, Ipv4.destination(ping, IP));
        assertEquals(0, Ipv4.dscpEcn(ping, IP));
        assertEquals(Icmp4.TYPE_ECHO_REQUEST, Icmp4.type(ping, 34));
        assertEquals(0, Icmp4.code(ping, 34));
        assertEquals(0x2a, Icmp4.echoIdentifier(ping, 34));
        assertEquals(1, Icmp4.echoSequence(ping, 34));

        MemorySegment tagged = MemorySegment.ofArray(TestFrames.udp(0, true));
        assertTrue(Ethernet.hasVlanTag(tagged, 0));
        assertEquals(100, Ethernet.vlanId(tagged, 0));
        assertEquals(18, Ethernet.headerLength(tagged, 0));
        assertEquals(Ethernet.TYPE_IPV4, Ethernet.payloadType(tagged, 0));
        assertEquals(1234, Udp.sourcePort(tagged, 38));
        assertEquals(7, Udp.destinationPort(tagged, 38));
        assertEquals(8, Udp.length(tagged, 38));

        MemorySegment error = MemorySegment.ofArray(TestFrames.portUnreachable());
        assertEquals(IP_B, Ipv4.source(error, IP));
        assertEquals(IP_A, Ipv4.destination(error, IP));
        assertEquals(IP_B, Ipv4.destination(error, Icmp4.quotedIp(34)));
        assertEquals(Ipv4.PROTOCOL_UDP, Ipv4.protocol(error, Icmp4.quotedIp(34)));
    }

    @Test
    void optionsAreAcceptedAndReported() {
        byte[] plain = TestFrames.udp(12, false);
        byte[] frame = new byte[plain.length + 4];
        System.arraycopy(plain, 0, frame, 0, 34);
        Arrays.fill(frame, 34, 38, (byte) 1); // four NOP options (RFC 791)
        System.arraycopy(plain, 34, frame, 38, plain.length - 34);
        frame[IP] = 0x46;
        put16(frame, IP + 2, get16(frame, IP + 2) + 4);
        fixIp(frame, IP);
        assertEquals(WireError.OK, classify(frame));
        assertTrue(Ipv4.hasOptions(MemorySegment.ofArray(frame), IP));
    }

    @Test
    void udpWithoutChecksumIsAccepted() {
        byte[] frame = TestFrames.udp(12, false);
        put16(frame, 40, 0);
        frame[frame.length - 1] ^= 0x55;
        assertEquals(WireError.OK, classify(frame));
    }

    @Test
    void offloadedChecksumsAreNotRecomputed() {
        byte[] frame = TestFrames.icmpEchoRequest();
        frame[IP + 11] ^= 1;
        frame[frame.length - 1] ^= 1;
        MemorySegment mem = MemorySegment.ofArray(frame);
        assertEquals(WireError.IP4_BAD_CHECKSUM, Ipv4.check(mem, IP, frame.length - IP, false));
        assertEquals(WireError.OK, Ipv4.check(mem, IP, frame.length - IP, true));
        assertEquals(WireError.ICMP4_BAD_CHECKSUM, Icmp4.check(mem, 34, 64, false));
        assertEquals(WireError.OK, Icmp4.check(mem, 34, 64, true));
        byte[] udp = TestFrames.udp(12, false);
        udp[udp.length - 1] ^= 1;
        MemorySegment u = MemorySegment.ofArray(udp);
        assertEquals(WireError.UDP_BAD_CHECKSUM, Udp.check(u, 34, 20, IP_A, IP_B, false));
        assertEquals(WireError.OK, Udp.check(u, 34, 20, IP_A, IP_B, true));
    }

    @Test
    void everyRejectionReasonIsReachedByACraftedFrame() {
        Set<Integer> reached = new HashSet<>();
        Rejects rejects = (code, frame) -> {
            assertEquals(WireError.symbol(code), WireError.symbol(classify(frame)), HexDump.of(frame));
            reached.add(code);
        };

        rejects.expect(WireError.ETHERNET_TOO_SHORT, Arrays.copyOf(TestFrames.arpRequest(), 13));
        rejects.expect(WireError.ETHERNET_TOO_SHORT, Arrays.copyOf(TestFrames.udp(0, true), 17));
        byte[] f = TestFrames.arpRequest();
        f[6] |= 1;
        rejects.expect(WireError.ETHERNET_BAD_SOURCE, f);
        f = TestFrames.udp(4, false);
        put16(f, 12, Ethernet.TYPE_QINQ);
        rejects.expect(WireError.ETHERNET_STACKED_VLAN, f);
        f = TestFrames.udp(4, true);
        put16(f, 16, Ethernet.TYPE_VLAN);
        rejects.expect(WireError.ETHERNET_STACKED_VLAN, f);
        f = TestFrames.udp(4, false);
        put16(f, 12, 0x0100);
        rejects.expect(WireError.ETHERNET_LENGTH_FIELD, f);
        f = TestFrames.udp(4, false);
        put16(f, 12, Ethernet.TYPE_IPV6);
        rejects.expect(WireError.ETHERNET_UNKNOWN_TYPE, f);

        rejects.expect(WireError.ARP_TOO_SHORT, Arrays.copyOf(TestFrames.arpRequest(), 41));
        f = TestFrames.arpRequest();
        put16(f, IP, 6);
        rejects.expect(WireError.ARP_BAD_HARDWARE, f);
        f = TestFrames.arpRequest();
        f[IP + 4] = 8;
        rejects.expect(WireError.ARP_BAD_HARDWARE, f);
        f = TestFrames.arpRequest();
        put16(f, IP + 2, Ethernet.TYPE_IPV6);
        rejects.expect(WireError.ARP_BAD_PROTOCOL, f);
        f = TestFrames.arpRequest();
        f[IP + 5] = 16;
        rejects.expect(WireError.ARP_BAD_PROTOCOL, f);
        for (int op : new int[] {0, 3, 0xffff}) {
            f = TestFrames.arpRequest();
            put16(f, IP + 6, op);
            rejects.expect(WireError.ARP_BAD_OPERATION, f);
        }
        f = TestFrames.arpRequest();
        f[IP + 8] |= 1;
        rejects.expect(WireError.ARP_BAD_SENDER, f);
        for (int spa : new int[] {0xe000_0001, Ip4Address.LIMITED_BROADCAST}) {
            f = TestFrames.arpRequest();
            put16(f, IP + 14, spa >>> 16);
            put16(f, IP + 16, spa);
            rejects.expect(WireError.ARP_BAD_SENDER, f);
        }

        rejects.expect(WireError.IP4_TOO_SHORT, Arrays.copyOf(TestFrames.icmpEchoRequest(), IP + 19));
        f = TestFrames.icmpEchoRequest();
        f[IP] = 0x65;
        fixIp(f, IP);
        rejects.expect(WireError.IP4_BAD_VERSION, f);
        f = TestFrames.icmpEchoRequest();
        f[IP] = 0x44;
        rejects.expect(WireError.IP4_BAD_HEADER_LENGTH, f);
        f = TestFrames.icmpEchoRequest();
        f[IP] = 0x46;
        put16(f, IP + 2, 20);
        rejects.expect(WireError.IP4_BAD_HEADER_LENGTH, f);
        f = TestFrames.icmpEchoRequest();
        put16(f, IP + 2, 85);
        fixIp(f, IP);
        rejects.expect(WireError.IP4_BAD_TOTAL_LENGTH, f);
        f = TestFrames.icmpEchoRequest();
        f[IP + 15] ^= 0x10;
        rejects.expect(WireError.IP4_BAD_CHECKSUM, f);
        for (int source : new int[] {0xe000_00fb, 0xefff_ffff, Ip4Address.LIMITED_BROADCAST}) {
            f = TestFrames.icmpEchoRequest();
            put16(f, IP + 12, source >>> 16);
            put16(f, IP + 14, source);
            fixIp(f, IP);
            rejects.expect(WireError.IP4_BAD_SOURCE, f);
        }
        for (int flags : new int[] {Ipv4.FLAG_MF, 1, Ipv4.FLAG_DF | 0x1fff}) {
            f = TestFrames.icmpEchoRequest();
            put16(f, IP + 6, flags);
            fixIp(f, IP);
            rejects.expect(WireError.IP4_FRAGMENT, f);
        }

        f = Arrays.copyOf(TestFrames.icmpEchoRequest(), IP + 27);
        put16(f, IP + 2, 27);
        fixIp(f, IP);
        rejects.expect(WireError.ICMP4_TOO_SHORT, f);
        f = TestFrames.icmpEchoRequest();
        f[f.length - 3] ^= 1;
        rejects.expect(WireError.ICMP4_BAD_CHECKSUM, f);
        for (int type : new int[] {5, 13, 255}) {
            f = TestFrames.icmpEchoRequest();
            f[34] = (byte) type;
            fixIcmp(f, IP);
            rejects.expect(WireError.ICMP4_UNKNOWN_TYPE, f);
        }
        f = TestFrames.icmpEchoRequest();
        f[35] = 1;
        fixIcmp(f, IP);
        rejects.expect(WireError.ICMP4_BAD_CODE, f);
        f = TestFrames.portUnreachable();
        f[35] = 16;
        fixIcmp(f, IP);
        rejects.expect(WireError.ICMP4_BAD_CODE, f);
        f = TestFrames.portUnreachable();
        f[34] = (byte) Icmp4.TYPE_TIME_EXCEEDED;
        f[35] = 2;
        fixIcmp(f, IP);
        rejects.expect(WireError.ICMP4_BAD_CODE, f);
        f = TestFrames.portUnreachable();
        f[42] = 0x65;
        fixIcmp(f, IP);
        rejects.expect(WireError.ICMP4_BAD_QUOTE, f);
        f = TestFrames.portUnreachable();
        f[42] = 0x44;
        fixIcmp(f, IP);
        rejects.expect(WireError.ICMP4_BAD_QUOTE, f);
        f = TestFrames.portUnreachable();
        f[42] = 0x46;
        fixIcmp(f, IP);
        rejects.expect(WireError.ICMP4_BAD_QUOTE, f);
        f = Arrays.copyOf(TestFrames.portUnreachable(), TestFrames.portUnreachable().length - 1);
        put16(f, IP + 2, get16(f, IP + 2) - 1);
        fixIp(f, IP);
        fixIcmp(f, IP);
        rejects.expect(WireError.ICMP4_BAD_QUOTE, f);

        f = Arrays.copyOf(TestFrames.udp(0, false), IP + 27);
        put16(f, IP + 2, 27);
        fixIp(f, IP);
        rejects.expect(WireError.UDP_TOO_SHORT, f);
        for (int length : new int[] {0, 7, 21, 0xffff}) {
            f = TestFrames.udp(12, false);
            put16(f, 38, length);
            rejects.expect(WireError.UDP_BAD_LENGTH, f);
        }
        f = TestFrames.udp(13, false);
        f[f.length - 1] ^= 0x40;
        rejects.expect(WireError.UDP_BAD_CHECKSUM, f);
        f = TestFrames.udp(12, false);
        put16(f, IP + 12, 0xc612_0003 >>> 16);
        put16(f, IP + 14, 0xc612_0003);
        fixIp(f, IP);
        rejects.expect(WireError.UDP_BAD_CHECKSUM, f); // the pseudo-header covers the addresses

        TcpWireTest.craftedRejects(rejects::expect);

        for (int code = 1; code < WireError.COUNT; code++) {
            assertTrue(reached.contains(code), "no crafted frame reaches " + WireError.symbol(code));
        }
    }

    @Test
    void truncationAtEveryLengthNeverThrowsAndAlwaysNamesAReason() {
        try (Arena arena = Arena.ofConfined()) {
            for (byte[] frame : TestFrames.allGoodFrames()) {
                for (int length = 0; length <= frame.length; length++) {
                    MemorySegment exact = TestFrames.offHeap(arena, Arrays.copyOf(frame, length));
                    int result = TestFrames.classify(exact, 0, length);
                    assertTrue(result >= 0 && result < WireError.COUNT, "result " + result);
                    if (length < frame.length) {
                        assertNotEquals(WireError.OK, result, "truncated to " + length + ": " + HexDump.of(frame));
                    } else {
                        assertEquals(WireError.OK, result);
                    }
                }
            }
        }
    }

    @Test
    void errorTableIsComplete() {
        Set<String> symbols = new HashSet<>();
        for (int code = 0; code < WireError.COUNT; code++) {
            assertTrue(symbols.add(WireError.symbol(code)), "duplicate " + WireError.symbol(code));
            assertFalse(WireError.description(code).isBlank());
            assertNotEquals("UNKNOWN", WireError.symbol(code));
        }
        assertEquals("UNKNOWN", WireError.symbol(WireError.COUNT));
        assertEquals("UNKNOWN", WireError.symbol(-1));
        assertEquals("IP4_BAD_CHECKSUM", WireError.symbol(WireError.IP4_BAD_CHECKSUM));
        assertTrue(WireError.description(99).contains("99"));
    }

    @Test
    void macAddressesOfTheFixtures() {
        assertEquals("02:00:00:00:00:01", MacAddress.format(MAC_A));
        assertEquals("02:00:00:00:00:02", MacAddress.format(MAC_B));
    }

    @FunctionalInterface
    interface Rejects {
        void expect(int code, byte[] frame);
    }

    /** Hex of a frame for failure messages. */
    static final class HexDump {
        private HexDump() {}

        static String of(byte[] frame) {
            return java.util.HexFormat.of().formatHex(frame);
        }
    }
}
