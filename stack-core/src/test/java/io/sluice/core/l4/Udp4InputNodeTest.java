package io.sluice.core.l4;

import static io.sluice.core.l4.L4Fixture.PEER;
import static io.sluice.core.l4.L4Fixture.TO_UDP;
import static io.sluice.core.l4.L4Fixture.US;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.wire.Ip4Address;
import io.sluice.core.wire.TestFrames;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** udp4-input: checks, the echo service byte for byte, port unreachable with its quote, delivery to sockets. */
class Udp4InputNodeTest {

    private final L4Fixture fx = new L4Fixture();
    private final L4Fixture.Worker w = fx.first();

    @AfterEach
    void close() {
        fx.close();
    }

    /** TestFrames.udp(n): 198.18.0.1:1234 → 198.18.0.2:7, from its IPv4 header. */
    private static byte[] request(int payloadLength) {
        byte[] frame = TestFrames.udp(payloadLength, false);
        return Arrays.copyOfRange(frame, 14, frame.length);
    }

    @Test
    void echoServiceAnswersInPlaceByteForByte() {
        fx.sockets.startEcho(0, UdpEchoService.ECHO_PORT);
        byte[] request = request(13);
        w.inject(request.clone(), TO_UDP);
        w.run();

        // Swapping both addresses and both ports changes neither checksum (one's complement sums commute), and the
        // TTL is 64 already: the reply is the request with its ends exchanged.
        byte[] expected = request.clone();
        System.arraycopy(request, 16, expected, 12, 4);
        System.arraycopy(request, 12, expected, 16, 4);
        System.arraycopy(request, 22, expected, 20, 2);
        System.arraycopy(request, 20, expected, 22, 2);
        assertArrayEquals(expected, w.onlyOutput());
        assertEquals(1, w.count(Udp4InputNode.NAME, "echo-replied"));
        fx.assertAllBuffersFree();
    }

    @Test
    void echoReplyCarriesOnlyTheUdpLengthAndAChecksumWhenNoneCame() {
        fx.sockets.startEcho(US, 9);
        byte[] request = L4Fixture.udp(PEER, 3333, US, 9, "hello".getBytes());
        TestFrames.put16(request, 26, 0); // no checksum sent (allowed over IPv4)
        byte[] padded = Arrays.copyOf(request, request.length + 3); // IP payload longer than the UDP length
        TestFrames.put16(padded, 2, padded.length);
        L4Fixture.fixIpChecksum(padded);
        w.inject(padded, TO_UDP);
        w.run();
        byte[] reply = w.onlyOutput(); // checked by the wire checks, UDP checksum included
        assertEquals(request.length, reply.length);
        assertEquals(request.length, TestFrames.get16(reply, 2));
        assertEquals(9, TestFrames.get16(reply, 20));
        assertEquals(3333, TestFrames.get16(reply, 22));
        assertEquals("hello", new String(reply, 28, 5));
        assertTrue(TestFrames.get16(reply, 26) != 0, "reply checksum computed");
    }

    @Test
    void echoToABroadcastIsNotAnswered() {
        fx.sockets.startEcho(0, 7);
        w.inject(L4Fixture.udp(PEER, 1000, Ip4Address.LIMITED_BROADCAST, 7, new byte[4]), TO_UDP);
        w.run();
        assertEquals(0, w.out.count);
        assertEquals(1, w.count(Udp4InputNode.NAME, "echo-to-broadcast"));
        fx.assertAllBuffersFree();
    }

    @Test
    void noListenerGetsPortUnreachableQuotingTheDatagram() {
        w.inject(request(12), TO_UDP);
        w.run();
        byte[] error = w.onlyOutput();
        // The ICMP part must equal TestFrames.portUnreachable()'s, which was written out by hand.
        byte[] reference = TestFrames.portUnreachable();
        assertArrayEquals(Arrays.copyOfRange(reference, 14 + 20, reference.length), Arrays.copyOfRange(error, 20,
                error.length));
        assertEquals(US, TestFrames.get16(error, 12) << 16 | TestFrames.get16(error, 14));
        assertEquals(PEER, TestFrames.get16(error, 16) << 16 | TestFrames.get16(error, 18));
        assertEquals(1, error[9]);
        assertEquals(64, error[8] & 0xff);
        assertEquals(1, w.count(Udp4InputNode.NAME, "no-listener"));
        assertEquals(1, w.count(Icmp4ErrorNode.NAME, "sent"));
        fx.assertAllBuffersFree();
    }

    @Test
    void badDatagramsAreNamedDrops() {
        byte[] corrupt = request(12);
        corrupt[30] ^= 0x10;
        w.inject(corrupt, TO_UDP);
        byte[] badLength = request(12);
        TestFrames.put16(badLength, 24, 100); // longer than the IP payload
        w.inject(badLength, TO_UDP);
        byte[] tooShort = Arrays.copyOf(request(0), 24); // 4 bytes of UDP
        TestFrames.put16(tooShort, 2, 24);
        L4Fixture.fixIpChecksum(tooShort);
        w.inject(tooShort, TO_UDP);
        w.run();
        assertEquals(0, w.out.count);
        assertEquals(1, w.count(Udp4InputNode.NAME, "udp-bad-checksum"));
        assertEquals(1, w.count(Udp4InputNode.NAME, "udp-bad-length"));
        assertEquals(1, w.count(Udp4InputNode.NAME, "udp-too-short"));
        fx.assertAllBuffersFree();
    }

    @Test
    void specificBindingWinsOverTheWildcard() throws Exception {
        UdpSocket any = fx.sockets.bind(0, 6000);
        UdpSocket specific = fx.sockets.bind(US, 6001);
        w.inject(L4Fixture.udp(PEER, 1, US, 6000, new byte[] {1}), TO_UDP);
        w.inject(L4Fixture.udp(PEER, 2, US, 6001, new byte[] {2}), TO_UDP);
        w.run();
        UdpDatagram d = new UdpDatagram(16);
        assertTrue(any.receive(d));
        assertEquals(1, d.payload()[0]);
        assertTrue(specific.receive(d));
        assertEquals(2, d.payload()[0]);
        assertEquals(2, w.count(Udp4InputNode.NAME, "delivered"));
        any.close();
        specific.close();
        fx.assertAllBuffersFree();
    }
}
