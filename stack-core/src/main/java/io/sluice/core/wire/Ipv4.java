package io.sluice.core.wire;

import static io.sluice.core.wire.NetOrder.setU16;
import static io.sluice.core.wire.NetOrder.setU32;
import static io.sluice.core.wire.NetOrder.setU8;
import static io.sluice.core.wire.NetOrder.u16;
import static io.sluice.core.wire.NetOrder.u32;
import static io.sluice.core.wire.NetOrder.u8;

import java.lang.foreign.MemorySegment;

/**
 * IPv4 header (RFC 791 §3.1).
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |    DSCP   |ECN|          Total Length         |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |Flags|      Fragment Offset    |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |         Header Checksum       |  8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Source Address                          | 12
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination Address                        | 16
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options (IHL > 5)                          | 20
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * Flags: bit 0 reserved, DF (don't fragment), MF (more fragments); the fragment offset counts 8-byte units.
 * Addresses travel as an {@code int}, first byte on the wire in bits 31..24 (see {@link Ip4Address}).
 */
public final class Ipv4 {

    /** Offset of version (high nibble) and IHL (low nibble, header length in 32-bit words). */
    public static final int VERSION_IHL = 0;
    /** Offset of DSCP and ECN (RFC 2474, RFC 3168). */
    public static final int DSCP_ECN = 1;
    /** Offset of the total length, header included. */
    public static final int TOTAL_LENGTH = 2;
    /** Offset of the identification. */
    public static final int IDENTIFICATION = 4;
    /** Offset of flags and fragment offset. */
    public static final int FLAGS_FRAGMENT = 6;
    /** Offset of the time to live. */
    public static final int TTL = 8;
    /** Offset of the protocol. */
    public static final int PROTOCOL = 9;
    /** Offset of the header checksum. */
    public static final int CHECKSUM = 10;
    /** Offset of the source address. */
    public static final int SOURCE = 12;
    /** Offset of the destination address. */
    public static final int DESTINATION = 16;
    /** Header length without options. */
    public static final int MIN_HEADER_LENGTH = 20;
    /** Largest header length (IHL 15). */
    public static final int MAX_HEADER_LENGTH = 60;

    /** Flag: don't fragment. */
    public static final int FLAG_DF = 0x4000;
    /** Flag: more fragments. */
    public static final int FLAG_MF = 0x2000;
    /** Mask of the fragment offset within the flags/fragment word. */
    public static final int FRAGMENT_OFFSET_MASK = 0x1fff;

    /** Protocol number of ICMP. */
    public static final int PROTOCOL_ICMP = 1;
    /** Protocol number of TCP. */
    public static final int PROTOCOL_TCP = 6;
    /** Protocol number of UDP. */
    public static final int PROTOCOL_UDP = 17;

    /** TTL for datagrams this host originates (RFC 1700's recommended default; RFC 1122 §3.2.1.7). */
    public static final int DEFAULT_TTL = 64;

    private Ipv4() {}

    /**
     * Checks a received IPv4 header, {@code length} bytes being available from {@code off} (link padding
     * included: a 60-byte minimum Ethernet frame may carry more than the total length; the node trims to
     * {@link #totalLength}). In order: room for a header, version 4, IHL ≥ 5 and header length ≤ total length
     * ≤ {@code length} (RFC 791), header checksum unless {@code checksumVerified} (a device offload said so), a
     * source that is neither multicast nor limited broadcast (RFC 1122 §3.2.1.3), and last whether it is a
     * fragment. Reads nothing outside {@code [off, off + length)}.
     *
     * <p>Not checked, on purpose: TTL, since a host must not discard a datagram just because its TTL is below 2
     * (RFC 1122 §3.2.1.7) and expiry is a forwarding decision; options, which a host must accept and ignore when
     * unknown (RFC 1122 §3.2.1.8), so their presence is only reported ({@link #hasOptions}); destination address
     * and loopback sources, which need the interface's configuration (ip4-input decides).
     *
     * @return {@link WireError#OK}, {@link WireError#IP4_FRAGMENT} for a good header of a fragment, or another
     *     {@code IP4_*} code
     */
    public static int check(MemorySegment mem, long off, int length, boolean checksumVerified) {
        if (length < MIN_HEADER_LENGTH) {
            return WireError.IP4_TOO_SHORT;
        }
        int versionIhl = u8(mem, off + VERSION_IHL);
        if (versionIhl >>> 4 != 4) {
            return WireError.IP4_BAD_VERSION;
        }
        int headerLength = (versionIhl & 0x0f) * 4;
        int totalLength = u16(mem, off + TOTAL_LENGTH);
        if (headerLength < MIN_HEADER_LENGTH || headerLength > totalLength) {
            return WireError.IP4_BAD_HEADER_LENGTH;
        }
        if (totalLength > length) {
            return WireError.IP4_BAD_TOTAL_LENGTH;
        }
        if (!checksumVerified && Checksum.sum(mem, off, headerLength) != 0xffff) {
            return WireError.IP4_BAD_CHECKSUM;
        }
        int source = source(mem, off);
        if (Ip4Address.isMulticast(source) || source == Ip4Address.LIMITED_BROADCAST) {
            return WireError.IP4_BAD_SOURCE;
        }
        if ((u16(mem, off + FLAGS_FRAGMENT) & (FLAG_MF | FRAGMENT_OFFSET_MASK)) != 0) {
            return WireError.IP4_FRAGMENT;
        }
        return WireError.OK;
    }

    /** Version field. */
    public static int version(MemorySegment mem, long off) {
        return u8(mem, off + VERSION_IHL) >>> 4;
    }

    /** Header length in bytes (IHL × 4). */
    public static int headerLength(MemorySegment mem, long off) {
        return (u8(mem, off + VERSION_IHL) & 0x0f) * 4;
    }

    /** Whether the header carries options (IHL > 5). */
    public static boolean hasOptions(MemorySegment mem, long off) {
        return headerLength(mem, off) > MIN_HEADER_LENGTH;
    }

    /** DSCP and ECN byte. */
    public static int dscpEcn(MemorySegment mem, long off) {
        return u8(mem, off + DSCP_ECN);
    }

    /** Total length of the datagram, header included. */
    public static int totalLength(MemorySegment mem, long off) {
        return u16(mem, off + TOTAL_LENGTH);
    }

    /** Payload length: total length minus header length. */
    public static int payloadLength(MemorySegment mem, long off) {
        return totalLength(mem, off) - headerLength(mem, off);
    }

    /** Identification. */
    public static int identification(MemorySegment mem, long off) {
        return u16(mem, off + IDENTIFICATION);
    }

    /** Whether DF is set. */
    public static boolean dontFragment(MemorySegment mem, long off) {
        return (u16(mem, off + FLAGS_FRAGMENT) & FLAG_DF) != 0;
    }

    /** Whether MF is set. */
    public static boolean moreFragments(MemorySegment mem, long off) {
        return (u16(mem, off + FLAGS_FRAGMENT) & FLAG_MF) != 0;
    }

    /** Fragment offset in bytes (the field × 8). */
    public static int fragmentOffset(MemorySegment mem, long off) {
        return (u16(mem, off + FLAGS_FRAGMENT) & FRAGMENT_OFFSET_MASK) * 8;
    }

    /** Time to live. */
    public static int ttl(MemorySegment mem, long off) {
        return u8(mem, off + TTL);
    }

    /** Protocol of the payload. */
    public static int protocol(MemorySegment mem, long off) {
        return u8(mem, off + PROTOCOL);
    }

    /** Header checksum field. */
    public static int checksum(MemorySegment mem, long off) {
        return u16(mem, off + CHECKSUM);
    }

    /** Source address. */
    public static int source(MemorySegment mem, long off) {
        return u32(mem, off + SOURCE);
    }

    /** Destination address. */
    public static int destination(MemorySegment mem, long off) {
        return u32(mem, off + DESTINATION);
    }

    /**
     * Writes a 20-byte header without options, its checksum computed; DSCP/ECN zero. Returns
     * {@link #MIN_HEADER_LENGTH}.
     */
    public static int emit(MemorySegment mem, long off, int totalLength, int identification, boolean dontFragment,
            int ttl, int protocol, int source, int destination) {
        setU8(mem, off + VERSION_IHL, 0x45);
        setU8(mem, off + DSCP_ECN, 0);
        setU16(mem, off + TOTAL_LENGTH, totalLength);
        setU16(mem, off + IDENTIFICATION, identification);
        setU16(mem, off + FLAGS_FRAGMENT, dontFragment ? FLAG_DF : 0);
        setU8(mem, off + TTL, ttl);
        setU8(mem, off + PROTOCOL, protocol);
        setU16(mem, off + CHECKSUM, 0);
        setU32(mem, off + SOURCE, source);
        setU32(mem, off + DESTINATION, destination);
        setU16(mem, off + CHECKSUM, Checksum.compute(mem, off, MIN_HEADER_LENGTH));
        return MIN_HEADER_LENGTH;
    }

    /** Recomputes the header checksum from scratch (after several fields changed). */
    public static void updateChecksum(MemorySegment mem, long off) {
        setU16(mem, off + CHECKSUM, 0);
        setU16(mem, off + CHECKSUM, Checksum.compute(mem, off, headerLength(mem, off)));
    }

    /**
     * Sets the total length, updating the header checksum incrementally (RFC 1624): for a reply built in place
     * that carries less than the request did.
     */
    public static void setTotalLength(MemorySegment mem, long off, int totalLength) {
        int oldWord = u16(mem, off + TOTAL_LENGTH);
        setU16(mem, off + TOTAL_LENGTH, totalLength);
        setU16(mem, off + CHECKSUM, Checksum.update16(checksum(mem, off), oldWord, totalLength & 0xffff));
    }

    /** Sets the TTL, updating the header checksum incrementally (RFC 1624). */
    public static void setTtl(MemorySegment mem, long off, int ttl) {
        int oldWord = u16(mem, off + TTL);
        int newWord = (ttl & 0xff) << 8 | (oldWord & 0xff);
        setU16(mem, off + TTL, newWord);
        setU16(mem, off + CHECKSUM, Checksum.update16(checksum(mem, off), oldWord, newWord));
    }

    /**
     * Decrements the TTL with an incremental checksum update (RFC 1624 §4, RFC 1812 §5.3.1), for a forwarding
     * path. Returns the new TTL; the caller must not forward a datagram whose TTL is now 0.
     */
    public static int decrementTtl(MemorySegment mem, long off) {
        int ttl = ttl(mem, off) - 1;
        setTtl(mem, off, ttl);
        return ttl;
    }

    /** Rewrites the source address (NAT-style), updating the header checksum incrementally. */
    public static void setSource(MemorySegment mem, long off, int address) {
        setU16(mem, off + CHECKSUM, Checksum.update32(checksum(mem, off), source(mem, off), address));
        setU32(mem, off + SOURCE, address);
    }

    /** Rewrites the destination address, updating the header checksum incrementally. */
    public static void setDestination(MemorySegment mem, long off, int address) {
        setU16(mem, off + CHECKSUM, Checksum.update32(checksum(mem, off), destination(mem, off), address));
        setU32(mem, off + DESTINATION, address);
    }

    /** Exchanges source and destination; the checksum is unchanged, since one's complement addition commutes. */
    public static void swapAddresses(MemorySegment mem, long off) {
        int source = source(mem, off);
        setU32(mem, off + SOURCE, destination(mem, off));
        setU32(mem, off + DESTINATION, source);
    }

    /** Partial sum of the pseudo-header for this datagram's transport checksum (UDP, TCP). */
    public static int pseudoHeaderSum(MemorySegment mem, long off) {
        return Checksum.pseudoHeader4(source(mem, off), destination(mem, off), protocol(mem, off),
                payloadLength(mem, off));
    }
}
