package io.sluice.core.wire;

import static io.sluice.core.wire.NetOrder.setU16;
import static io.sluice.core.wire.NetOrder.u16;

import java.lang.foreign.MemorySegment;

/**
 * UDP header (RFC 768).
 * <pre>
 *  0      7 8     15 16    23 24    31
 * +--------+--------+--------+--------+
 * |   Source Port   |  Destination    |  0
 * |                 |      Port       |
 * +--------+--------+--------+--------+
 * |     Length      |    Checksum     |  4
 * +--------+--------+--------+--------+
 * |          data octets ...             8
 * +---------------- ...
 * </pre>
 * Length counts header and data. The checksum covers the IPv4 pseudo-header ({@link Checksum#pseudoHeader4}),
 * header and data; over IPv4 a transmitted 0 means "no checksum", so a computed 0 is sent as 0xffff (RFC 768).
 */
public final class Udp {

    /** Offset of the source port. */
    public static final int SOURCE_PORT = 0;
    /** Offset of the destination port. */
    public static final int DESTINATION_PORT = 2;
    /** Offset of the length. */
    public static final int LENGTH = 4;
    /** Offset of the checksum. */
    public static final int CHECKSUM = 6;
    /** Header length. */
    public static final int HEADER_LENGTH = 8;

    private Udp() {}

    /**
     * Checks a received datagram: {@code length} is the IPv4 payload length, {@code source} and
     * {@code destination} the IPv4 addresses for the pseudo-header. The length field must be at least 8 and at
     * most {@code length} (bytes beyond it are ignored; the node trims them); the checksum is verified unless it
     * is 0 (none sent, RFC 768) or {@code checksumVerified}.
     *
     * @return {@link WireError#OK} or a {@code UDP_*} code
     */
    public static int check(MemorySegment mem, long off, int length, int source, int destination,
            boolean checksumVerified) {
        if (length < HEADER_LENGTH) {
            return WireError.UDP_TOO_SHORT;
        }
        int udpLength = length(mem, off);
        if (udpLength < HEADER_LENGTH || udpLength > length) {
            return WireError.UDP_BAD_LENGTH;
        }
        if (!checksumVerified && checksum(mem, off) != 0) {
            int sum = Checksum.add(Checksum.pseudoHeader4(source, destination, Ipv4.PROTOCOL_UDP, udpLength),
                    Checksum.sum(mem, off, udpLength));
            if (sum != 0xffff) {
                return WireError.UDP_BAD_CHECKSUM;
            }
        }
        return WireError.OK;
    }

    /** Source port. */
    public static int sourcePort(MemorySegment mem, long off) {
        return u16(mem, off + SOURCE_PORT);
    }

    /** Destination port. */
    public static int destinationPort(MemorySegment mem, long off) {
        return u16(mem, off + DESTINATION_PORT);
    }

    /** Length field: header plus data. */
    public static int length(MemorySegment mem, long off) {
        return u16(mem, off + LENGTH);
    }

    /** Checksum field (0: none). */
    public static int checksum(MemorySegment mem, long off) {
        return u16(mem, off + CHECKSUM);
    }

    /**
     * Writes the header in front of {@code payloadLength} bytes already in place and computes the checksum with
     * the pseudo-header of {@code source} → {@code destination}. Returns {@link #HEADER_LENGTH}.
     */
    public static int emit(MemorySegment mem, long off, int sourcePort, int destinationPort, int payloadLength,
            int source, int destination) {
        int udpLength = HEADER_LENGTH + payloadLength;
        setU16(mem, off + SOURCE_PORT, sourcePort);
        setU16(mem, off + DESTINATION_PORT, destinationPort);
        setU16(mem, off + LENGTH, udpLength);
        setU16(mem, off + CHECKSUM, 0);
        int sum = Checksum.add(Checksum.pseudoHeader4(source, destination, Ipv4.PROTOCOL_UDP, udpLength),
                Checksum.sum(mem, off, udpLength));
        int checksum = Checksum.finish(sum);
        setU16(mem, off + CHECKSUM, checksum == 0 ? 0xffff : checksum);
        return HEADER_LENGTH;
    }
}
