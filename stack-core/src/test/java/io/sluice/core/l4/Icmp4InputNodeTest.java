package io.sluice.core.l4;

import static io.sluice.core.l4.L4Fixture.PEER;
import static io.sluice.core.l4.L4Fixture.TO_ICMP;
import static io.sluice.core.l4.L4Fixture.US;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.wire.Icmp4;
import io.sluice.core.wire.Ip4Address;
import io.sluice.core.wire.TestFrames;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** icmp4-input: echo replies byte for byte, broadcasts ignored, received errors counted and reported to sockets. */
class Icmp4InputNodeTest {

    private final L4Fixture fx = new L4Fixture();
    private final L4Fixture.Worker w = fx.first();

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void echoRequestIsAnsweredInPlaceByteForByte() {
        byte[] request = Arrays.copyOfRange(TestFrames.icmpEchoRequest(), 14, 98);
        w.inject(request.clone(), TO_ICMP);
        w.run();

        // Expected reply written out independently: addresses swapped (the IPv4 checksum does not change), TTL 64
        // (it was), type 0, ICMP checksum by the reference RFC 1071 sum.
        byte[] expected = request.clone();
        System.arraycopy(request, 16, expected, 12, 4);
        System.arraycopy(request, 12, expected, 16, 4);
        expected[20] = 0;
        L4Fixture.fixIcmpChecksum(expected);
        assertArrayEquals(expected, w.onlyOutput());
        assertEquals(1, w.count(Icmp4InputNode.NAME, "echo-replied"));
        fx.assertAllBuffersFree();
    }

    @Test
    void echoWithLowTtlIsAnsweredWithTtl64() {
        byte[] request = L4Fixture.echoRequest(PEER, US, 0x77, 3, 10);
        request[8] = 1; // TTL 1; the header checksum is now wrong, so fix it with the reference sum
        L4Fixture.fixIpChecksum(request);
        w.inject(request, TO_ICMP);
        w.run();
        byte[] reply = w.onlyOutput();
        assertEquals(64, reply[8] & 0xff);
        assertEquals(PEER, TestFrames.get16(reply, 16) << 16 | TestFrames.get16(reply, 18));
        assertEquals(0x77, TestFrames.get16(reply, 24));
        assertEquals(3, TestFrames.get16(reply, 26));
    }

    @Test
    void echoToABroadcastOrMulticastAddressIsIgnored() {
        int directedBroadcast = 0xc612_00ff; // 198.18.0.255
        int multicast = 0xe000_0001; // 224.0.0.1
        for (int destination : new int[] {Ip4Address.LIMITED_BROADCAST, directedBroadcast, multicast}) {
            w.inject(L4Fixture.echoRequest(PEER, destination, 1, 1, 8), TO_ICMP);
        }
        w.run();
        assertEquals(0, w.out.count);
        assertEquals(3, w.count(Icmp4InputNode.NAME, "echo-to-broadcast"));
        fx.assertAllBuffersFree();
    }

    @Test
    void badChecksumAndUnhandledTypesAreNamedDrops() {
        byte[] corrupt = L4Fixture.echoRequest(PEER, US, 1, 1, 8);
        corrupt[30] ^= 1;
        w.inject(corrupt, TO_ICMP);
        byte[] timestamp = L4Fixture.echoRequest(PEER, US, 1, 1, 12);
        timestamp[20] = 13; // timestamp request: a type the stack does not handle
        L4Fixture.fixIcmpChecksum(timestamp);
        w.inject(timestamp, TO_ICMP);
        byte[] reply = L4Fixture.echoRequest(PEER, US, 1, 1, 8);
        reply[20] = 0;
        L4Fixture.fixIcmpChecksum(reply);
        w.inject(reply, TO_ICMP);
        w.run();
        assertEquals(0, w.out.count);
        assertEquals(1, w.count(Icmp4InputNode.NAME, "icmp4-bad-checksum"));
        assertEquals(1, w.count(Icmp4InputNode.NAME, "icmp4-unknown-type"));
        assertEquals(1, w.count(Icmp4InputNode.NAME, "echo-reply"));
        fx.assertAllBuffersFree();
    }

    @Test
    void portUnreachableIsReportedToTheSocketThatSent() {
        // TestFrames.portUnreachable(): 198.18.0.2 tells 198.18.0.1 that its datagram 1234 → 7 found no listener.
        // Here 198.18.0.1 is the stack's socket, so the fixture's roles are mirrored for this one frame.
        UdpSocket socket = fx.sockets.bind(TestFrames.IP_A, 1234);
        w.injectFrame(TestFrames.portUnreachable(), TO_ICMP);
        w.run();
        assertEquals(1, socket.icmpErrors());
        IcmpErrorReport error = socket.lastError();
        assertTrue(error.isPortUnreachable(), error.toString());
        assertEquals(TestFrames.IP_B, error.remoteAddress());
        assertEquals(7, error.remotePort());
        assertEquals(1, w.count(Icmp4InputNode.NAME, "unreachable-port"));
        assertEquals(1, w.count(Icmp4InputNode.NAME, "reported-to-socket"));
        assertEquals(1, socket.info().icmpErrors());
        socket.close();
        fx.assertAllBuffersFree();
    }

    @Test
    void errorsAreCountedByTypeAndCodeAndBadQuotesDropped() {
        byte[] sent = L4Fixture.udp(US, 40000, PEER, 53, new byte[20]);
        w.inject(L4Fixture.icmpError(PEER, US, Icmp4.TYPE_TIME_EXCEEDED, Icmp4.CODE_TTL_EXCEEDED, sent), TO_ICMP);
        w.inject(L4Fixture.icmpError(PEER, US, Icmp4.TYPE_TIME_EXCEEDED, Icmp4.CODE_REASSEMBLY_EXCEEDED, sent),
                TO_ICMP);
        w.inject(L4Fixture.icmpError(PEER, US, Icmp4.TYPE_DESTINATION_UNREACHABLE, Icmp4.CODE_HOST_UNREACHABLE, sent),
                TO_ICMP);
        w.inject(L4Fixture.icmpError(PEER, US, Icmp4.TYPE_DESTINATION_UNREACHABLE, Icmp4.CODE_NET_UNREACHABLE, sent),
                TO_ICMP);
        w.inject(L4Fixture.icmpError(PEER, US, Icmp4.TYPE_DESTINATION_UNREACHABLE,
                Icmp4.CODE_FRAGMENTATION_NEEDED, sent), TO_ICMP);
        w.inject(L4Fixture.icmpError(PEER, US, Icmp4.TYPE_DESTINATION_UNREACHABLE, 13, sent), TO_ICMP);
        byte[] shortQuote = L4Fixture.icmpError(PEER, US, Icmp4.TYPE_DESTINATION_UNREACHABLE,
                Icmp4.CODE_PORT_UNREACHABLE, Arrays.copyOf(sent, 24)); // 4 bytes of the UDP header only
        w.inject(shortQuote, TO_ICMP);
        w.run();
        assertEquals(0, w.out.count);
        assertEquals(1, w.count(Icmp4InputNode.NAME, "time-exceeded-ttl"));
        assertEquals(1, w.count(Icmp4InputNode.NAME, "time-exceeded-reassembly"));
        assertEquals(1, w.count(Icmp4InputNode.NAME, "unreachable-host"));
        assertEquals(1, w.count(Icmp4InputNode.NAME, "unreachable-net"));
        assertEquals(1, w.count(Icmp4InputNode.NAME, "unreachable-fragmentation"));
        assertEquals(1, w.count(Icmp4InputNode.NAME, "unreachable-other"));
        assertEquals(1, w.count(Icmp4InputNode.NAME, "icmp4-bad-quote"));
        assertEquals(0, w.count(Icmp4InputNode.NAME, "reported-to-socket")); // nobody bound port 40000
        fx.assertAllBuffersFree();
    }

    @Test
    void errorAboutAnotherPortLeavesTheSocketAlone() {
        UdpSocket socket = fx.sockets.bind(0, 5000);
        byte[] sent = L4Fixture.udp(US, 5001, PEER, 53, new byte[4]);
        w.inject(L4Fixture.icmpError(PEER, US, Icmp4.TYPE_DESTINATION_UNREACHABLE, Icmp4.CODE_PORT_UNREACHABLE,
                sent), TO_ICMP);
        byte[] ours = L4Fixture.udp(US, 5000, PEER, 53, new byte[4]);
        w.inject(L4Fixture.icmpError(PEER, US, Icmp4.TYPE_TIME_EXCEEDED, Icmp4.CODE_TTL_EXCEEDED, ours), TO_ICMP);
        w.run();
        assertEquals(1, socket.icmpErrors());
        IcmpErrorReport error = socket.lastError();
        assertEquals(Icmp4.TYPE_TIME_EXCEEDED, error.type());
        assertEquals(PEER, error.remoteAddress());
        assertEquals(53, error.remotePort());
        socket.close();
        assertNull(fx.table.lookup(US, 5000));
    }
}
