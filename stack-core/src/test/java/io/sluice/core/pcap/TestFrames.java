package io.sluice.core.pcap;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.sluice.core.wire.Ethernet;
import io.sluice.core.wire.Ipv4;
import io.sluice.core.wire.Udp;
import java.lang.foreign.MemorySegment;

/** UDP-over-IPv4 Ethernet frames for the capture tests, built with the stack's own emitters. */
final class TestFrames {

    static final long DESTINATION_MAC = 0x02_00_00_00_00_02L;
    static final long SOURCE_MAC = 0x02_00_00_00_00_01L;
    static final int SOURCE_PORT = 40000;
    /** Bytes in front of the UDP payload. */
    static final int HEADERS = Ethernet.HEADER_LENGTH + Ipv4.MIN_HEADER_LENGTH + Udp.HEADER_LENGTH;

    private TestFrames() {}

    /**
     * Writes a frame at {@code mem[off]} carrying {@code payloadLength} bytes (value {@code i & 0xff} at payload
     * index {@code i}) from {@code source} to {@code destination}:{@code port}; returns the frame length.
     */
    static int udp(MemorySegment mem, long off, int source, int destination, int port, int payloadLength) {
        long payload = off + HEADERS;
        for (int i = 0; i < payloadLength; i++) {
            mem.set(JAVA_BYTE, payload + i, (byte) i);
        }
        Ethernet.emit(mem, off, DESTINATION_MAC, SOURCE_MAC, Ethernet.TYPE_IPV4);
        long ip = off + Ethernet.HEADER_LENGTH;
        Udp.emit(mem, ip + Ipv4.MIN_HEADER_LENGTH, SOURCE_PORT, port, payloadLength, source, destination);
        Ipv4.emit(mem, ip, Ipv4.MIN_HEADER_LENGTH + Udp.HEADER_LENGTH + payloadLength, 1, true, Ipv4.DEFAULT_TTL,
                Ipv4.PROTOCOL_UDP, source, destination);
        return HEADERS + payloadLength;
    }

    /** Dotted form of an IPv4 address held in an int. */
    static String dotted(int address) {
        return (address >>> 24) + "." + (address >>> 16 & 0xff) + "." + (address >>> 8 & 0xff) + "." + (address & 0xff);
    }
}
