package io.sluice.core.wire;

import static io.sluice.core.wire.NetOrder.setU16;
import static io.sluice.core.wire.NetOrder.setU32;
import static io.sluice.core.wire.NetOrder.setU8;
import static io.sluice.core.wire.NetOrder.u16;
import static io.sluice.core.wire.NetOrder.u32;
import static io.sluice.core.wire.NetOrder.u8;

import java.lang.foreign.MemorySegment;

/**
 * TCP header (RFC 9293 §3.1; ECE and CWR from RFC 3168 §6.1).
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |  8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             | 12
 * |       |       |R|E|G|K|H|T|N|N|                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        | 16
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options (data offset > 5)                  | 20
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * The data offset counts 32-bit words of header, options included (5..15). The checksum covers the IPv4
 * pseudo-header ({@link Checksum#pseudoHeader4}), header, options and data; unlike UDP there is no "no checksum"
 * value (RFC 9293 §3.1). Sequence and acknowledgment numbers travel as {@code int} and compare with
 * {@code io.sluice.core.tcp.SeqNum}. Options are parsed and written by {@link TcpOptions}.
 */
public final class Tcp {

    /** Offset of the source port. */
    public static final int SOURCE_PORT = 0;
    /** Offset of the destination port. */
    public static final int DESTINATION_PORT = 2;
    /** Offset of the sequence number. */
    public static final int SEQUENCE = 4;
    /** Offset of the acknowledgment number. */
    public static final int ACKNOWLEDGMENT = 8;
    /** Offset of the data offset (high nibble) and the reserved bits (low nibble). */
    public static final int DATA_OFFSET = 12;
    /** Offset of the control bits. */
    public static final int FLAGS = 13;
    /** Offset of the window. */
    public static final int WINDOW = 14;
    /** Offset of the checksum. */
    public static final int CHECKSUM = 16;
    /** Offset of the urgent pointer. */
    public static final int URGENT_POINTER = 18;
    /** Offset of the options, when the data offset is above 5. */
    public static final int OPTIONS = 20;
    /** Header length without options. */
    public static final int MIN_HEADER_LENGTH = 20;
    /** Largest header length (data offset 15). */
    public static final int MAX_HEADER_LENGTH = 60;
    /** Largest options area: 40 bytes. */
    public static final int MAX_OPTIONS_LENGTH = MAX_HEADER_LENGTH - MIN_HEADER_LENGTH;

    /** Control bit: no more data from the sender. */
    public static final int FIN = 0x01;
    /** Control bit: synchronize sequence numbers. */
    public static final int SYN = 0x02;
    /** Control bit: reset the connection. */
    public static final int RST = 0x04;
    /** Control bit: push. */
    public static final int PSH = 0x08;
    /** Control bit: the acknowledgment field is significant. */
    public static final int ACK = 0x10;
    /** Control bit: the urgent pointer field is significant. */
    public static final int URG = 0x20;
    /** Control bit: ECN-Echo (RFC 3168). */
    public static final int ECE = 0x40;
    /** Control bit: congestion window reduced (RFC 3168). */
    public static final int CWR = 0x80;

    private Tcp() {}

    /**
     * Checks a received segment: {@code length} is the IPv4 payload length, {@code source} and
     * {@code destination} the IPv4 addresses for the pseudo-header. In order: room for a header, a data offset of
     * at least 5 words that fits in {@code length}, the checksum over pseudo-header and whole segment unless
     * {@code checksumVerified} (a device offload said so), and the control bits. Reads nothing outside
     * {@code [off, off + length)}. Options are checked separately, by {@link TcpOptions#parse}.
     *
     * <p>Control bits: only SYN together with FIN is rejected here ({@link WireError#TCP_BAD_FLAGS}). It has had no
     * legitimate use since T/TCP was made historic (RFC 6247), is a classic scanning and firewall-evasion probe,
     * and would otherwise need care in every state (open and close at once). Everything else — SYN with RST, no
     * bits at all, URG without a pointer — is left to the state machine, because RFC 9293 §3.10.7 defines the
     * response per state (for example a reset in reply to any non-RST segment to a closed port).
     *
     * @return {@link WireError#OK} or a {@code TCP_*} code
     */
    public static int check(MemorySegment mem, long off, int length, int source, int destination,
            boolean checksumVerified) {
        if (length < MIN_HEADER_LENGTH) {
            return WireError.TCP_TOO_SHORT;
        }
        int headerLength = headerLength(mem, off);
        if (headerLength < MIN_HEADER_LENGTH || headerLength > length) {
            return WireError.TCP_BAD_DATA_OFFSET;
        }
        if (!checksumVerified) {
            int sum = Checksum.add(Checksum.pseudoHeader4(source, destination, Ipv4.PROTOCOL_TCP, length),
                    Checksum.sum(mem, off, length));
            if (sum != 0xffff) {
                return WireError.TCP_BAD_CHECKSUM;
            }
        }
        if ((flags(mem, off) & (SYN | FIN)) == (SYN | FIN)) {
            return WireError.TCP_BAD_FLAGS;
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

    /** Sequence number (SEG.SEQ), 32 bits modulo 2^32. */
    public static int sequence(MemorySegment mem, long off) {
        return u32(mem, off + SEQUENCE);
    }

    /** Acknowledgment number (SEG.ACK); significant only with {@link #ACK}. */
    public static int acknowledgment(MemorySegment mem, long off) {
        return u32(mem, off + ACKNOWLEDGMENT);
    }

    /** Data offset field: header length in 32-bit words. */
    public static int dataOffset(MemorySegment mem, long off) {
        return u8(mem, off + DATA_OFFSET) >>> 4;
    }

    /** Header length in bytes (data offset × 4), options included. */
    public static int headerLength(MemorySegment mem, long off) {
        return dataOffset(mem, off) * 4;
    }

    /** Length of the options area in bytes (header length − 20). */
    public static int optionsLength(MemorySegment mem, long off) {
        return headerLength(mem, off) - MIN_HEADER_LENGTH;
    }

    /** The eight control bits, {@link #FIN} in bit 0 to {@link #CWR} in bit 7. */
    public static int flags(MemorySegment mem, long off) {
        return u8(mem, off + FLAGS);
    }

    /** Whether every bit of {@code mask} is set. */
    public static boolean hasFlags(MemorySegment mem, long off, int mask) {
        return (flags(mem, off) & mask) == mask;
    }

    /** Window field, not yet scaled (RFC 7323 §2.3: never scaled on a SYN). */
    public static int window(MemorySegment mem, long off) {
        return u16(mem, off + WINDOW);
    }

    /** Checksum field. */
    public static int checksum(MemorySegment mem, long off) {
        return u16(mem, off + CHECKSUM);
    }

    /** Urgent pointer; significant only with {@link #URG}. */
    public static int urgentPointer(MemorySegment mem, long off) {
        return u16(mem, off + URGENT_POINTER);
    }

    /**
     * Writes the 20-byte fixed header in front of options ({@code optionsLength} bytes, a multiple of 4 up to 40,
     * already written at {@code off + OPTIONS}, e.g. by {@link TcpOptions#emitSyn}) and {@code payloadLength} bytes
     * of data already in place after them, then the checksum over pseudo-header and segment. Reserved bits and the
     * urgent pointer are zero. Returns the header length.
     */
    public static int emit(MemorySegment mem, long off, int sourcePort, int destinationPort, int sequence,
            int acknowledgment, int flags, int window, int optionsLength, int payloadLength, int source,
            int destination) {
        int headerLength = emitHeader(mem, off, sourcePort, destinationPort, sequence, acknowledgment, flags, window,
                optionsLength);
        int segmentLength = headerLength + payloadLength;
        int sum = Checksum.add(Checksum.pseudoHeader4(source, destination, Ipv4.PROTOCOL_TCP, segmentLength),
                Checksum.sum(mem, off, segmentLength));
        setU16(mem, off + CHECKSUM, Checksum.finish(sum));
        return headerLength;
    }

    /**
     * Writes the header like {@link #emit} but leaves the checksum partial, as checksum offload expects it: the
     * field holds the folded pseudo-header sum, so summing the whole segment from its first byte (what a NIC, or
     * {@link #completeChecksum}, does) yields the checksum. The payload need not be in place yet.
     */
    public static int emitPartial(MemorySegment mem, long off, int sourcePort, int destinationPort, int sequence,
            int acknowledgment, int flags, int window, int optionsLength, int payloadLength, int source,
            int destination) {
        int headerLength = emitHeader(mem, off, sourcePort, destinationPort, sequence, acknowledgment, flags, window,
                optionsLength);
        setU16(mem, off + CHECKSUM, Checksum.pseudoHeader4(source, destination, Ipv4.PROTOCOL_TCP,
                headerLength + payloadLength));
        return headerLength;
    }

    /** Completes the partial checksum {@link #emitPartial} left in the {@code length}-byte segment at {@code off}. */
    public static void completeChecksum(MemorySegment mem, long off, int length) {
        setU16(mem, off + CHECKSUM, Checksum.compute(mem, off, length));
    }

    /** Where the TCP header of the untagged Ethernet/IPv4 frame at {@code frame} starts, from the frame's start. */
    public static int offsetInFrame(MemorySegment mem, long frame) {
        return Ethernet.HEADER_LENGTH + Ipv4.headerLength(mem, frame + Ethernet.HEADER_LENGTH);
    }

    /** {@link #completeChecksum} for the segment of the untagged Ethernet/IPv4 frame at {@code frame}. */
    public static void completeChecksumInFrame(MemorySegment mem, long frame) {
        int offset = offsetInFrame(mem, frame);
        completeChecksum(mem, frame + offset,
                Ipv4.totalLength(mem, frame + Ethernet.HEADER_LENGTH) + Ethernet.HEADER_LENGTH - offset);
    }

    /**
     * Writes the header like {@link #emit} when the payload is not contiguous with it (a buffer chain):
     * {@code payloadSum} is the partial sum ({@link Checksum#sum}) of the whole payload, its pieces combined with
     * {@link Checksum#add} — every piece but the last of even length, since an odd piece shifts the byte positions
     * of the next. The header itself is always an even number of bytes, so it combines with any payload sum.
     */
    public static int emitWithPayloadSum(MemorySegment mem, long off, int sourcePort, int destinationPort,
            int sequence, int acknowledgment, int flags, int window, int optionsLength, int payloadLength,
            int payloadSum, int source, int destination) {
        int headerLength = emitHeader(mem, off, sourcePort, destinationPort, sequence, acknowledgment, flags, window,
                optionsLength);
        int sum = Checksum.add(
                Checksum.pseudoHeader4(source, destination, Ipv4.PROTOCOL_TCP, headerLength + payloadLength),
                Checksum.add(Checksum.sum(mem, off, headerLength), payloadSum));
        setU16(mem, off + CHECKSUM, Checksum.finish(sum));
        return headerLength;
    }

    private static int emitHeader(MemorySegment mem, long off, int sourcePort, int destinationPort, int sequence,
            int acknowledgment, int flags, int window, int optionsLength) {
        int headerLength = MIN_HEADER_LENGTH + optionsLength;
        setU16(mem, off + SOURCE_PORT, sourcePort);
        setU16(mem, off + DESTINATION_PORT, destinationPort);
        setU32(mem, off + SEQUENCE, sequence);
        setU32(mem, off + ACKNOWLEDGMENT, acknowledgment);
        setU8(mem, off + DATA_OFFSET, (headerLength / 4) << 4);
        setU8(mem, off + FLAGS, flags);
        setU16(mem, off + WINDOW, window);
        setU16(mem, off + CHECKSUM, 0);
        setU16(mem, off + URGENT_POINTER, 0);
        return headerLength;
    }
}
