package io.sluice.core.wire;

import static io.sluice.core.wire.NetOrder.setU16;
import static io.sluice.core.wire.NetOrder.setU32;
import static io.sluice.core.wire.NetOrder.setU8;
import static io.sluice.core.wire.NetOrder.u16;
import static io.sluice.core.wire.NetOrder.u8;

import java.lang.foreign.MemorySegment;

/**
 * ICMP for IPv4 (RFC 792): the messages a host needs — echo request and reply, destination unreachable and time
 * exceeded.
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  echo: Identifier             |  echo: Sequence Number        |  4
 * |  unreachable: unused          |  code 4: next-hop MTU         |
 * |  time exceeded: unused                                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  echo: data ...                                               |  8
 * |  errors: the offending IPv4 header + at least 8 payload bytes |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * The checksum covers the whole ICMP message (RFC 792); the next-hop MTU is RFC 1191 §4.
 */
public final class Icmp4 {

    /** Offset of the type. */
    public static final int TYPE = 0;
    /** Offset of the code. */
    public static final int CODE = 1;
    /** Offset of the checksum. */
    public static final int CHECKSUM = 2;
    /** Offset of the echo identifier. */
    public static final int ECHO_IDENTIFIER = 4;
    /** Offset of the echo sequence number. */
    public static final int ECHO_SEQUENCE = 6;
    /** Offset of the next-hop MTU of "fragmentation needed" (RFC 1191). */
    public static final int NEXT_HOP_MTU = 6;
    /** Header length; data or the quoted datagram follows. */
    public static final int HEADER_LENGTH = 8;
    /** Bytes of the offending datagram's payload an error message quotes at least (RFC 792). */
    public static final int QUOTED_PAYLOAD = 8;

    /** Type: echo reply. */
    public static final int TYPE_ECHO_REPLY = 0;
    /** Type: destination unreachable. */
    public static final int TYPE_DESTINATION_UNREACHABLE = 3;
    /** Type: echo request. */
    public static final int TYPE_ECHO_REQUEST = 8;
    /** Type: time exceeded. */
    public static final int TYPE_TIME_EXCEEDED = 11;

    /** Destination unreachable code: network unreachable. */
    public static final int CODE_NET_UNREACHABLE = 0;
    /** Destination unreachable code: host unreachable. */
    public static final int CODE_HOST_UNREACHABLE = 1;
    /** Destination unreachable code: protocol unreachable. */
    public static final int CODE_PROTOCOL_UNREACHABLE = 2;
    /** Destination unreachable code: port unreachable. */
    public static final int CODE_PORT_UNREACHABLE = 3;
    /** Destination unreachable code: fragmentation needed and DF set. */
    public static final int CODE_FRAGMENTATION_NEEDED = 4;
    /** Largest destination unreachable code defined (15, precedence cutoff, RFC 1812 §5.2.7.1). */
    public static final int MAX_UNREACHABLE_CODE = 15;
    /** Time exceeded code: TTL exceeded in transit. */
    public static final int CODE_TTL_EXCEEDED = 0;
    /** Time exceeded code: fragment reassembly time exceeded. */
    public static final int CODE_REASSEMBLY_EXCEEDED = 1;

    private Icmp4() {}

    /**
     * Checks a received ICMP message of {@code length} bytes (the IPv4 payload length): room for the header, the
     * checksum over the whole message unless {@code checksumVerified}, a handled type with a code defined for it,
     * and for error messages a quote of at least an IPv4 header and 8 bytes of its payload (RFC 792; RFC 1122
     * §3.2.2 — a message of unknown type is silently discarded).
     *
     * @return {@link WireError#OK} or an {@code ICMP4_*} code
     */
    public static int check(MemorySegment mem, long off, int length, boolean checksumVerified) {
        if (length < HEADER_LENGTH) {
            return WireError.ICMP4_TOO_SHORT;
        }
        if (!checksumVerified && Checksum.sum(mem, off, length) != 0xffff) {
            return WireError.ICMP4_BAD_CHECKSUM;
        }
        int code = code(mem, off);
        switch (type(mem, off)) {
            case TYPE_ECHO_REQUEST, TYPE_ECHO_REPLY -> {
                return code == 0 ? WireError.OK : WireError.ICMP4_BAD_CODE;
            }
            case TYPE_DESTINATION_UNREACHABLE -> {
                return code <= MAX_UNREACHABLE_CODE ? checkQuote(mem, off, length) : WireError.ICMP4_BAD_CODE;
            }
            case TYPE_TIME_EXCEEDED -> {
                return code <= CODE_REASSEMBLY_EXCEEDED ? checkQuote(mem, off, length) : WireError.ICMP4_BAD_CODE;
            }
            default -> {
                return WireError.ICMP4_UNKNOWN_TYPE;
            }
        }
    }

    private static int checkQuote(MemorySegment mem, long off, int length) {
        int quoted = length - HEADER_LENGTH;
        if (quoted < Ipv4.MIN_HEADER_LENGTH + QUOTED_PAYLOAD) {
            return WireError.ICMP4_BAD_QUOTE;
        }
        long ip = off + HEADER_LENGTH;
        if (Ipv4.version(mem, ip) != 4) {
            return WireError.ICMP4_BAD_QUOTE;
        }
        int headerLength = Ipv4.headerLength(mem, ip);
        if (headerLength < Ipv4.MIN_HEADER_LENGTH || quoted < headerLength + QUOTED_PAYLOAD) {
            return WireError.ICMP4_BAD_QUOTE;
        }
        return WireError.OK;
    }

    /** Type. */
    public static int type(MemorySegment mem, long off) {
        return u8(mem, off + TYPE);
    }

    /** Code. */
    public static int code(MemorySegment mem, long off) {
        return u8(mem, off + CODE);
    }

    /** Checksum field. */
    public static int checksum(MemorySegment mem, long off) {
        return u16(mem, off + CHECKSUM);
    }

    /** Echo identifier. */
    public static int echoIdentifier(MemorySegment mem, long off) {
        return u16(mem, off + ECHO_IDENTIFIER);
    }

    /** Echo sequence number. */
    public static int echoSequence(MemorySegment mem, long off) {
        return u16(mem, off + ECHO_SEQUENCE);
    }

    /** Offset of the quoted IPv4 header of an error message. */
    public static long quotedIp(long off) {
        return off + HEADER_LENGTH;
    }

    /**
     * Turns a checked echo request, in a checked IPv4 datagram at {@code ipOff}, into the echo reply in place
     * (RFC 792; RFC 1122 §3.2.2.6): addresses swapped, TTL set to {@code ttl}, type 0, both checksums updated
     * incrementally (RFC 1624), data, identifier and sequence unchanged. IP options are sent back as received
     * (reversing a recorded route is not done). A request sent to a broadcast or multicast address must not be
     * answered this way: the reply's source must be one of the host's own addresses (RFC 1122 §3.2.2.6), so the
     * node sets it with {@link Ipv4#setSource} afterwards (or does not answer).
     */
    public static void turnEchoRequestIntoReply(MemorySegment mem, long ipOff, int ttl) {
        Ipv4.swapAddresses(mem, ipOff);
        Ipv4.setTtl(mem, ipOff, ttl);
        long icmp = ipOff + Ipv4.headerLength(mem, ipOff);
        int oldWord = u16(mem, icmp + TYPE);
        int newWord = TYPE_ECHO_REPLY << 8 | (oldWord & 0xff);
        setU16(mem, icmp + TYPE, newWord);
        setU16(mem, icmp + CHECKSUM, Checksum.update16(checksum(mem, icmp), oldWord, newWord));
    }

    /** Writes an echo request or reply header over {@code dataLength} bytes of data already in place after it. */
    public static int emitEcho(MemorySegment mem, long off, int type, int identifier, int sequence,
            int dataLength) {
        setU8(mem, off + TYPE, type);
        setU8(mem, off + CODE, 0);
        setU16(mem, off + CHECKSUM, 0);
        setU16(mem, off + ECHO_IDENTIFIER, identifier);
        setU16(mem, off + ECHO_SEQUENCE, sequence);
        setU16(mem, off + CHECKSUM, Checksum.compute(mem, off, HEADER_LENGTH + dataLength));
        return HEADER_LENGTH + dataLength;
    }

    /**
     * How many bytes of the datagram at {@code ipOff} an error about it quotes: its header and 8 bytes of
     * payload (RFC 792), or less if the datagram is shorter.
     */
    public static int quoteLength(MemorySegment mem, long ipOff) {
        return Math.min(Ipv4.headerLength(mem, ipOff) + QUOTED_PAYLOAD, Ipv4.totalLength(mem, ipOff));
    }

    /**
     * Writes an error message (destination unreachable, time exceeded) at {@code off}: header with
     * {@code restOfHeader} in bytes 4..7 (zero, or the next-hop MTU for code 4), then {@code quoteLength} bytes
     * copied from {@code quoted}/{@code quotedOff}, then the checksum. Source and quote may overlap: an error
     * built in place two headers before the offending datagram finds its quote already where it belongs.
     * Returns the message length. (RFC 1122 §3.2.2 lists when a host must not send one: in reply to an error,
     * a broadcast or multicast, a non-initial fragment; that is the caller's decision.)
     */
    public static int emitError(MemorySegment mem, long off, int type, int code, int restOfHeader,
            MemorySegment quoted, long quotedOff, int quoteLength) {
        MemorySegment.copy(quoted, quotedOff, mem, off + HEADER_LENGTH, quoteLength);
        setU8(mem, off + TYPE, type);
        setU8(mem, off + CODE, code);
        setU16(mem, off + CHECKSUM, 0);
        setU32(mem, off + 4, restOfHeader);
        int length = HEADER_LENGTH + quoteLength;
        setU16(mem, off + CHECKSUM, Checksum.compute(mem, off, length));
        return length;
    }
}
