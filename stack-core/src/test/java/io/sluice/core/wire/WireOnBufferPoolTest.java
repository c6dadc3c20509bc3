package io.sluice.core.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.buffer.BufferPoolConfig;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The checks and emitters as graph nodes will use them: on a pool buffer, stripping each header with
 * {@code advance}, and answering a UDP datagram to a closed port with an ICMP error prepended into the headroom in
 * front of the datagram it quotes.
 */
class WireOnBufferPoolTest {

    @Test
    void receivePathThenPortUnreachableInPlace() {
        try (BufferPool pool = BufferPool.create(BufferPoolConfig.defaults().withBufferCount(16))) {
            BufferCache cache = pool.newCache();
            int buffer = cache.allocate();
            byte[] frame = TestFrames.udp(12, false);
            MemorySegment mem = pool.memory();
            MemorySegment.copy(frame, 0, mem, ValueLayout.JAVA_BYTE, pool.dataOffset(buffer), frame.length);
            pool.setCurrentLength(buffer, frame.length);

            // ethernet-input
            long off = pool.dataOffset(buffer);
            assertEquals(WireError.OK, Ethernet.check(mem, off, pool.currentLength(buffer)));
            assertEquals(Ethernet.TYPE_IPV4, Ethernet.payloadType(mem, off));
            pool.advance(buffer, Ethernet.headerLength(mem, off));
            // ip4-input
            off = pool.dataOffset(buffer);
            assertEquals(WireError.OK, Ipv4.check(mem, off, pool.currentLength(buffer), false));
            int source = Ipv4.source(mem, off);
            int destination = Ipv4.destination(mem, off);
            int headerLength = Ipv4.headerLength(mem, off);
            int payloadLength = Ipv4.payloadLength(mem, off);
            pool.advance(buffer, headerLength);
            // udp4-input: no listener on the port
            off = pool.dataOffset(buffer);
            assertEquals(WireError.OK, Udp.check(mem, off, payloadLength, source, destination, false));
            assertEquals(7, Udp.destinationPort(mem, off));

            // Back to the IP header, then prepend ICMP and IPv4 headers into the headroom.
            pool.advance(buffer, -headerLength);
            long quoted = pool.dataOffset(buffer);
            int quote = Icmp4.quoteLength(mem, quoted);
            pool.setCurrentLength(buffer, quote);
            pool.advance(buffer, -Icmp4.HEADER_LENGTH);
            int icmpLength = Icmp4.emitError(mem, pool.dataOffset(buffer), Icmp4.TYPE_DESTINATION_UNREACHABLE,
                    Icmp4.CODE_PORT_UNREACHABLE, 0, mem, quoted, quote);
            pool.advance(buffer, -Ipv4.MIN_HEADER_LENGTH);
            Ipv4.emit(mem, pool.dataOffset(buffer), Ipv4.MIN_HEADER_LENGTH + icmpLength, 1, false, Ipv4.DEFAULT_TTL,
                    Ipv4.PROTOCOL_ICMP, destination, source);
            pool.advance(buffer, -Ethernet.HEADER_LENGTH);
            Ethernet.emit(mem, pool.dataOffset(buffer), TestFrames.MAC_A, TestFrames.MAC_B, Ethernet.TYPE_IPV4);

            int length = pool.currentLength(buffer);
            assertEquals(14 + 20 + 8 + 28, length);
            assertEquals(WireError.OK, TestFrames.classify(mem, pool.dataOffset(buffer), length));
            byte[] sent = new byte[length];
            MemorySegment.copy(mem, ValueLayout.JAVA_BYTE, pool.dataOffset(buffer), sent, 0, length);
            byte[] expected = TestFrames.portUnreachable();
            assertArrayEquals(Arrays.copyOfRange(expected, 34, expected.length), Arrays.copyOfRange(sent, 34, length));
            cache.free(buffer);
        }
    }
}
