package io.sluice.core.wire;

import static io.sluice.core.wire.NetOrder.setU16;
import static io.sluice.core.wire.NetOrder.setU32;
import static io.sluice.core.wire.NetOrder.setU48;
import static io.sluice.core.wire.NetOrder.u16;
import static io.sluice.core.wire.NetOrder.u32;
import static io.sluice.core.wire.NetOrder.u48;
import static io.sluice.core.wire.NetOrder.u8;

import java.lang.foreign.MemorySegment;

/**
 * ARP for IPv4 over Ethernet (RFC 826), the only combination handled: 28 bytes.
 * <pre>
 *  offset  size
 *     0      2   hardware type (HTYPE) = 1, Ethernet
 *     2      2   protocol type (PTYPE) = 0x0800, IPv4
 *     4      1   hardware address length (HLEN) = 6
 *     5      1   protocol address length (PLEN) = 4
 *     6      2   operation: 1 request, 2 reply
 *     8      6   sender hardware address (SHA)
 *    14      4   sender protocol address (SPA)
 *    18      6   target hardware address (THA)
 *    24      4   target protocol address (TPA)
 *    28
 * </pre>
 * A <em>gratuitous</em> ARP (an announcement, RFC 5227 §3) is a request whose sender and target protocol addresses
 * are both the sender's own address; an <em>ARP probe</em> (RFC 5227 §2.1.1) has sender protocol address 0.
 */
public final class Arp {

    /** Offset of the hardware type. */
    public static final int HARDWARE_TYPE = 0;
    /** Offset of the protocol type. */
    public static final int PROTOCOL_TYPE = 2;
    /** Offset of the hardware address length. */
    public static final int HARDWARE_LENGTH = 4;
    /** Offset of the protocol address length. */
    public static final int PROTOCOL_LENGTH = 5;
    /** Offset of the operation. */
    public static final int OPERATION = 6;
    /** Offset of the sender hardware address. */
    public static final int SENDER_MAC = 8;
    /** Offset of the sender protocol address. */
    public static final int SENDER_IP = 14;
    /** Offset of the target hardware address. */
    public static final int TARGET_MAC = 18;
    /** Offset of the target protocol address. */
    public static final int TARGET_IP = 24;
    /** Length of an Ethernet/IPv4 ARP packet. */
    public static final int LENGTH = 28;

    /** Hardware type of Ethernet. */
    public static final int HARDWARE_ETHERNET = 1;
    /** Operation: request. */
    public static final int OP_REQUEST = 1;
    /** Operation: reply. */
    public static final int OP_REPLY = 2;

    private Arp() {}

    /**
     * Checks a received ARP packet of {@code length} bytes (the Ethernet payload, which may carry padding beyond
     * byte 28). RFC 826 lets a receiver check the lengths "optionally"; here they must be 6 and 4, since nothing
     * else can be read as Ethernet/IPv4.
     *
     * @return {@link WireError#OK} or an {@code ARP_*} code
     */
    public static int check(MemorySegment mem, long off, int length) {
        if (length < LENGTH) {
            return WireError.ARP_TOO_SHORT;
        }
        if (u16(mem, off + HARDWARE_TYPE) != HARDWARE_ETHERNET || u8(mem, off + HARDWARE_LENGTH) != 6) {
            return WireError.ARP_BAD_HARDWARE;
        }
        if (u16(mem, off + PROTOCOL_TYPE) != Ethernet.TYPE_IPV4 || u8(mem, off + PROTOCOL_LENGTH) != 4) {
            return WireError.ARP_BAD_PROTOCOL;
        }
        int op = operation(mem, off);
        if (op != OP_REQUEST && op != OP_REPLY) {
            return WireError.ARP_BAD_OPERATION;
        }
        int spa = senderIp(mem, off);
        if (MacAddress.isMulticast(senderMac(mem, off)) || Ip4Address.isMulticast(spa)
                || spa == Ip4Address.LIMITED_BROADCAST) {
            return WireError.ARP_BAD_SENDER;
        }
        return WireError.OK;
    }

    /** Operation: {@link #OP_REQUEST} or {@link #OP_REPLY} in a checked packet. */
    public static int operation(MemorySegment mem, long off) {
        return u16(mem, off + OPERATION);
    }

    /** Sender hardware address. */
    public static long senderMac(MemorySegment mem, long off) {
        return u48(mem, off + SENDER_MAC);
    }

    /** Sender protocol address. */
    public static int senderIp(MemorySegment mem, long off) {
        return u32(mem, off + SENDER_IP);
    }

    /** Target hardware address (zero in a request). */
    public static long targetMac(MemorySegment mem, long off) {
        return u48(mem, off + TARGET_MAC);
    }

    /** Target protocol address. */
    public static int targetIp(MemorySegment mem, long off) {
        return u32(mem, off + TARGET_IP);
    }

    /** Whether this is a gratuitous ARP: sender and target protocol addresses equal and not zero. */
    public static boolean isGratuitous(MemorySegment mem, long off) {
        int spa = senderIp(mem, off);
        return spa != 0 && spa == targetIp(mem, off);
    }

    /** Whether this is an ARP probe (RFC 5227 §2.1.1): a request with sender protocol address 0. */
    public static boolean isProbe(MemorySegment mem, long off) {
        return operation(mem, off) == OP_REQUEST && senderIp(mem, off) == 0;
    }

    /** Writes an Ethernet/IPv4 ARP packet; returns {@link #LENGTH}. */
    public static int emit(MemorySegment mem, long off, int operation, long senderMac, int senderIp, long targetMac,
            int targetIp) {
        setU16(mem, off + HARDWARE_TYPE, HARDWARE_ETHERNET);
        setU16(mem, off + PROTOCOL_TYPE, Ethernet.TYPE_IPV4);
        NetOrder.setU8(mem, off + HARDWARE_LENGTH, 6);
        NetOrder.setU8(mem, off + PROTOCOL_LENGTH, 4);
        setU16(mem, off + OPERATION, operation);
        setU48(mem, off + SENDER_MAC, senderMac);
        setU32(mem, off + SENDER_IP, senderIp);
        setU48(mem, off + TARGET_MAC, targetMac);
        setU32(mem, off + TARGET_IP, targetIp);
        return LENGTH;
    }

    /**
     * Writes a gratuitous ARP announcing that {@code ip} is at {@code mac}: a request with sender and target
     * protocol address {@code ip} and target hardware address zero (RFC 5227 §3). Send it to the broadcast MAC.
     */
    public static int emitGratuitous(MemorySegment mem, long off, long mac, int ip) {
        return emit(mem, off, OP_REQUEST, mac, ip, 0L, ip);
    }

    /**
     * Turns a checked request for one of our addresses into the reply in place (RFC 826, "Packet Reception"): the
     * sender fields move to the target fields, {@code localMac} and the requested address become the sender, and
     * the operation becomes reply.
     */
    public static void turnRequestIntoReply(MemorySegment mem, long off, long localMac) {
        long requesterMac = senderMac(mem, off);
        int requesterIp = senderIp(mem, off);
        int requestedIp = targetIp(mem, off);
        setU16(mem, off + OPERATION, OP_REPLY);
        setU48(mem, off + TARGET_MAC, requesterMac);
        setU32(mem, off + TARGET_IP, requesterIp);
        setU48(mem, off + SENDER_MAC, localMac);
        setU32(mem, off + SENDER_IP, requestedIp);
    }
}
