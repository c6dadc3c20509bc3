package io.sluice.core.wire;

import static io.sluice.core.wire.TestFrames.IP_A;
import static io.sluice.core.wire.TestFrames.IP_B;
import static io.sluice.core.wire.TestFrames.MAC_A;
import static io.sluice.core.wire.TestFrames.MAC_B;
import static io.sluice.core.wire.TestFrames.referenceChecksum;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Emitters produce frames the checks accept, with the fields and checksums an independent reference expects. */
class WireEmitTest {

    private static final int IP = 14;

    private static int ipChecksumByReference(byte[] frame, int ip) {
        byte[] copy = frame.clone();
        copy[ip + 10] = 0;
        copy[ip + 11] = 0;
        return referenceChecksum(copy, ip, ip + (copy[ip] & 0x0f) * 4);
    }

    @Test
    void arpRequestTurnsIntoReply() {
        byte[] frame = TestFrames.arpRequest();
        MemorySegment mem = MemorySegment.ofArray(frame);
        Ethernet.turnIntoReply(mem, 0, MAC_B);
        Arp.turnRequestIntoReply(mem, IP, MAC_B);
        assertEquals(WireError.OK, TestFrames.classify(mem, 0, frame.length));
        assertArrayEquals(TestFrames.hex("020000000001 020000000002 0806"
                + "0001 0800 06 04 0002 020000000002 c6120002 020000000001 c6120001"), frame);
    }

    @Test
    void arpEmitAndGratuitous() {
        byte[] frame = new byte[42];
        MemorySegment mem = MemorySegment.ofArray(frame);
        int length = Ethernet.emit(mem, 0, MacAddress.BROADCAST, MAC_A, Ethernet.TYPE_ARP);
        length += Arp.emit(mem, length, Arp.OP_REQUEST, MAC_A, IP_A, 0L, IP_B);
        assertEquals(42, length);
        assertArrayEquals(TestFrames.arpRequest(), frame, "same bytes as the hand-built request");

        Arp.emitGratuitous(mem, IP, MAC_A, IP_A);
        assertEquals(WireError.OK, TestFrames.classify(mem, 0, frame.length));
        assertTrue(Arp.isGratuitous(mem, IP));
        assertEquals(Arp.OP_REQUEST, Arp.operation(mem, IP));

        Arp.emit(mem, IP, Arp.OP_REQUEST, MAC_A, 0, 0L, IP_B);
        assertTrue(Arp.isProbe(mem, IP));
        assertEquals(WireError.OK, Arp.check(mem, IP, 28));
    }

    @Test
    void echoRequestTurnsIntoReplyInPlace() {
        byte[] frame = TestFrames.icmpEchoRequest();
        byte[] request = frame.clone();
        MemorySegment mem = MemorySegment.ofArray(frame);
        Ethernet.turnIntoReply(mem, 0, MAC_B);
        Icmp4.turnEchoRequestIntoReply(mem, IP, 255);
        assertEquals(WireError.OK, TestFrames.classify(mem, 0, frame.length));
        assertEquals(Icmp4.TYPE_ECHO_REPLY, Icmp4.type(mem, 34));
        assertEquals(IP_B, Ipv4.source(mem, IP));
        assertEquals(IP_A, Ipv4.destination(mem, IP));
        assertEquals(255, Ipv4.ttl(mem, IP));
        assertEquals(MAC_A, Ethernet.destination(mem, 0));
        assertEquals(MAC_B, Ethernet.source(mem, 0));
        assertEquals(ipChecksumByReference(frame, IP), Ipv4.checksum(mem, IP));
        byte[] icmp = Arrays.copyOfRange(frame, 34, frame.length);
        icmp[2] = 0;
        icmp[3] = 0;
        assertEquals(referenceChecksum(icmp, 0, icmp.length), Icmp4.checksum(mem, 34));
        assertArrayEquals(Arrays.copyOfRange(request, 38, request.length), Arrays.copyOfRange(frame, 38, frame.length),
                "identifier, sequence and data unchanged");
    }

    @Test
    void echoEmit() {
        byte[] frame = new byte[14 + 20 + 8 + 5];
        MemorySegment mem = MemorySegment.ofArray(frame);
        frame[42] = 'p';
        frame[46] = 'g';
        Ethernet.emit(mem, 0, MAC_B, MAC_A, Ethernet.TYPE_IPV4);
        Ipv4.emit(mem, IP, 33, 7, false, Ipv4.DEFAULT_TTL, Ipv4.PROTOCOL_ICMP, IP_A, IP_B);
        assertEquals(13, Icmp4.emitEcho(mem, 34, Icmp4.TYPE_ECHO_REQUEST, 9, 10, 5));
        assertEquals(WireError.OK, TestFrames.classify(mem, 0, frame.length));
        assertEquals(10, Icmp4.echoSequence(mem, 34));
    }

    @Test
    void udpDatagramFromScratchMatchesTheHandBuiltOne() {
        for (int payload : new int[] {0, 12, 13}) {
            byte[] expected = TestFrames.udp(payload, false);
            byte[] frame = new byte[expected.length];
            System.arraycopy(expected, 42, frame, 42, payload);
            MemorySegment mem = MemorySegment.ofArray(frame);
            Ethernet.emit(mem, 0, MAC_B, MAC_A, Ethernet.TYPE_IPV4);
            Ipv4.emit(mem, IP, 28 + payload, 0x1234, true, 64, Ipv4.PROTOCOL_UDP, IP_A, IP_B);
            Udp.emit(mem, 34, 1234, 7, payload, IP_A, IP_B);
            assertArrayEquals(expected, frame, "payload " + payload);
            assertEquals(WireError.OK, TestFrames.classify(mem, 0, frame.length));
        }
    }

    @Test
    void udpChecksumThatComputesToZeroIsSentAsAllOnes() {
        byte[] frame = new byte[14 + 20 + 8 + 2];
        MemorySegment mem = MemorySegment.ofArray(frame);
        Ethernet.emit(mem, 0, MAC_B, MAC_A, Ethernet.TYPE_IPV4);
        Ipv4.emit(mem, IP, 30, 1, false, 64, Ipv4.PROTOCOL_UDP, IP_A, IP_B);
        Udp.emit(mem, 34, 1, 2, 2, IP_A, IP_B);
        // Choose the payload word that makes the one's complement sum 0xffff, i.e. a computed checksum of 0.
        int sum = Checksum.add(Checksum.pseudoHeader4(IP_A, IP_B, 17, 10), Checksum.sum(mem, 34, 10));
        int withoutChecksum = Checksum.add(sum, ~Udp.checksum(mem, 34) & 0xffff);
        int word = 0xffff - withoutChecksum;
        TestFrames.put16(frame, 42, word);
        Udp.emit(mem, 34, 1, 2, 2, IP_A, IP_B);
        assertEquals(0xffff, Udp.checksum(mem, 34), "RFC 768: a computed 0 is transmitted as all ones");
        assertEquals(WireError.OK, TestFrames.classify(mem, 0, frame.length));
    }

    @Test
    void portUnreachableBuiltInPlaceInFrontOfTheDatagram() {
        byte[] original = TestFrames.udp(12, false);
        byte[] frame = new byte[14 + 20 + 8 + original.length - 14];
        // The offending datagram sits where a received packet would, after room for the two new headers.
        System.arraycopy(original, 14, frame, 42, original.length - 14);
        MemorySegment mem = MemorySegment.ofArray(frame);
        int quote = Icmp4.quoteLength(mem, 42);
        assertEquals(28, quote);
        int icmpLength = Icmp4.emitError(mem, 34, Icmp4.TYPE_DESTINATION_UNREACHABLE, Icmp4.CODE_PORT_UNREACHABLE,
                0, mem, 42, quote);
        Ipv4.emit(mem, IP, 20 + icmpLength, 99, false, 64, Ipv4.PROTOCOL_ICMP, IP_B, IP_A);
        Ethernet.emit(mem, 0, MAC_A, MAC_B, Ethernet.TYPE_IPV4);
        int length = 14 + 20 + icmpLength;
        assertEquals(WireError.OK, TestFrames.classify(mem, 0, length));
        byte[] expected = TestFrames.portUnreachable();
        assertArrayEquals(Arrays.copyOfRange(expected, 34, expected.length), Arrays.copyOfRange(frame, 34, length));

        byte[] elsewhere = new byte[14 + 20 + 36];
        MemorySegment out = MemorySegment.ofArray(elsewhere);
        Icmp4.emitError(out, 34, Icmp4.TYPE_TIME_EXCEEDED, Icmp4.CODE_TTL_EXCEEDED, 0, MemorySegment.ofArray(original),
                14, 28);
        Ipv4.emit(out, IP, 56, 1, false, 64, Ipv4.PROTOCOL_ICMP, IP_B, IP_A);
        Ethernet.emit(out, 0, MAC_A, MAC_B, Ethernet.TYPE_IPV4);
        assertEquals(WireError.OK, TestFrames.classify(out, 0, elsewhere.length));
    }

    @Test
    void ttlDecrementAndAddressRewriteKeepTheChecksumRight() {
        Random random = new Random(1812);
        byte[] frame = TestFrames.udp(12, false);
        MemorySegment mem = MemorySegment.ofArray(frame);
        for (int round = 0; round < 2000; round++) {
            switch (random.nextInt(3)) {
                case 0 -> {
                    int ttl = Ipv4.ttl(mem, IP);
                    if (ttl == 0) {
                        Ipv4.setTtl(mem, IP, 255);
                    } else {
                        assertEquals(ttl - 1, Ipv4.decrementTtl(mem, IP));
                    }
                }
                case 1 -> Ipv4.setSource(mem, IP, random.nextInt() & 0x7fff_ffff); // unicast
                default -> Ipv4.setDestination(mem, IP, random.nextInt());
            }
            assertEquals(ipChecksumByReference(frame, IP), Ipv4.checksum(mem, IP), "round " + round);
            assertEquals(WireError.OK, Ipv4.check(mem, IP, frame.length - IP, false));
        }
        Ipv4.swapAddresses(mem, IP);
        assertEquals(ipChecksumByReference(frame, IP), Ipv4.checksum(mem, IP));
        mem.set(ValueLayout.JAVA_BYTE, IP + 1, (byte) 0x2e);
        Ipv4.updateChecksum(mem, IP);
        assertEquals(ipChecksumByReference(frame, IP), Ipv4.checksum(mem, IP));
        assertEquals(Checksum.pseudoHeader4(Ipv4.source(mem, IP), Ipv4.destination(mem, IP), 17, 20),
                Ipv4.pseudoHeaderSum(mem, IP));
    }
}
