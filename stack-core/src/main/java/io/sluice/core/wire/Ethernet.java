package io.sluice.core.wire;

import static io.sluice.core.wire.NetOrder.setU16;
import static io.sluice.core.wire.NetOrder.setU48;
import static io.sluice.core.wire.NetOrder.u16;
import static io.sluice.core.wire.NetOrder.u48;

import java.lang.foreign.MemorySegment;

/**
 * Ethernet II frame header (RFC 894; IEEE 802.3 clause 3), with at most one IEEE 802.1Q VLAN tag. The frame check
 * sequence is not part of what interfaces deliver and is not handled here.
 * <pre>
 *  offset  size
 *     0      6   destination MAC address
 *     6      6   source MAC address
 *    12      2   EtherType (values below 0x0600 are IEEE 802.3 lengths)
 *    14          payload
 *
 *  with one 802.1Q tag:
 *    12      2   TPID 0x8100
 *    14      2   TCI: priority (3 bits) | drop eligible (1) | VLAN id (12)
 *    16      2   EtherType
 *    18          payload
 * </pre>
 * MAC addresses travel as a {@code long} holding the 48 bits, first byte on the wire in bits 47..40 (see
 * {@link MacAddress}).
 */
public final class Ethernet {

    /** Offset of the destination MAC address. */
    public static final int DESTINATION = 0;
    /** Offset of the source MAC address. */
    public static final int SOURCE = 6;
    /** Offset of the EtherType, or of the TPID of a VLAN tag. */
    public static final int ETHER_TYPE = 12;
    /** Untagged header length. */
    public static final int HEADER_LENGTH = 14;
    /** Offset of the 802.1Q tag control information. */
    public static final int VLAN_TCI = 14;
    /** Offset of the EtherType behind an 802.1Q tag. */
    public static final int VLAN_ETHER_TYPE = 16;
    /** Header length with one 802.1Q tag. */
    public static final int VLAN_HEADER_LENGTH = 18;

    /** EtherType of IPv4. */
    public static final int TYPE_IPV4 = 0x0800;
    /** EtherType of ARP. */
    public static final int TYPE_ARP = 0x0806;
    /** TPID of an IEEE 802.1Q tag. */
    public static final int TYPE_VLAN = 0x8100;
    /** TPID of an IEEE 802.1ad service tag (QinQ). */
    public static final int TYPE_QINQ = 0x88a8;
    /** EtherType of IPv6 (not handled yet). */
    public static final int TYPE_IPV6 = 0x86dd;
    /** Smallest EtherType; smaller values are IEEE 802.3 length fields. */
    public static final int MIN_ETHER_TYPE = 0x0600;
    /** {@link #vlanId} of an untagged frame. */
    public static final int NO_VLAN = -1;

    private Ethernet() {}

    /**
     * Checks a received frame of {@code length} bytes: long enough for its header, an individual source address,
     * at most one VLAN tag, and an EtherType that ethernet-input dispatches (IPv4 or ARP). Reads nothing outside
     * {@code [off, off + length)}.
     *
     * @return {@link WireError#OK} or an {@code ETHERNET_*} code
     */
    public static int check(MemorySegment mem, long off, int length) {
        if (length < HEADER_LENGTH) {
            return WireError.ETHERNET_TOO_SHORT;
        }
        if (MacAddress.isMulticast(source(mem, off))) {
            return WireError.ETHERNET_BAD_SOURCE;
        }
        int type = u16(mem, off + ETHER_TYPE);
        if (type == TYPE_QINQ) {
            return WireError.ETHERNET_STACKED_VLAN;
        }
        if (type == TYPE_VLAN) {
            if (length < VLAN_HEADER_LENGTH) {
                return WireError.ETHERNET_TOO_SHORT;
            }
            type = u16(mem, off + VLAN_ETHER_TYPE);
            if (type == TYPE_VLAN || type == TYPE_QINQ) {
                return WireError.ETHERNET_STACKED_VLAN;
            }
        }
        if (type < MIN_ETHER_TYPE) {
            return WireError.ETHERNET_LENGTH_FIELD;
        }
        if (type != TYPE_IPV4 && type != TYPE_ARP) {
            return WireError.ETHERNET_UNKNOWN_TYPE;
        }
        return WireError.OK;
    }

    /** Destination MAC address. */
    public static long destination(MemorySegment mem, long off) {
        return u48(mem, off + DESTINATION);
    }

    /** Source MAC address. */
    public static long source(MemorySegment mem, long off) {
        return u48(mem, off + SOURCE);
    }

    /** The type field at offset 12: the EtherType, or {@link #TYPE_VLAN} for a tagged frame. */
    public static int etherType(MemorySegment mem, long off) {
        return u16(mem, off + ETHER_TYPE);
    }

    /** Whether the frame carries an 802.1Q tag. */
    public static boolean hasVlanTag(MemorySegment mem, long off) {
        return etherType(mem, off) == TYPE_VLAN;
    }

    /** The 12-bit VLAN id of a tagged frame, {@link #NO_VLAN} for an untagged one. */
    public static int vlanId(MemorySegment mem, long off) {
        return hasVlanTag(mem, off) ? u16(mem, off + VLAN_TCI) & 0x0fff : NO_VLAN;
    }

    /** Header length: 14, or 18 with a VLAN tag. */
    public static int headerLength(MemorySegment mem, long off) {
        return hasVlanTag(mem, off) ? VLAN_HEADER_LENGTH : HEADER_LENGTH;
    }

    /** The EtherType of the payload, behind the VLAN tag if there is one. */
    public static int payloadType(MemorySegment mem, long off) {
        return hasVlanTag(mem, off) ? u16(mem, off + VLAN_ETHER_TYPE) : etherType(mem, off);
    }

    /** Writes the destination MAC address. */
    public static void setDestination(MemorySegment mem, long off, long mac) {
        setU48(mem, off + DESTINATION, mac);
    }

    /** Writes the source MAC address. */
    public static void setSource(MemorySegment mem, long off, long mac) {
        setU48(mem, off + SOURCE, mac);
    }

    /** Writes an untagged header; returns its length, {@link #HEADER_LENGTH}. */
    public static int emit(MemorySegment mem, long off, long destination, long source, int etherType) {
        setU48(mem, off + DESTINATION, destination);
        setU48(mem, off + SOURCE, source);
        setU16(mem, off + ETHER_TYPE, etherType);
        return HEADER_LENGTH;
    }

    /**
     * Turns a received header into the header of a reply in place: the old source becomes the destination and
     * {@code localMac} the source. A VLAN tag and the EtherType stay as they are.
     */
    public static void turnIntoReply(MemorySegment mem, long off, long localMac) {
        setU48(mem, off + DESTINATION, source(mem, off));
        setU48(mem, off + SOURCE, localMac);
    }
}
