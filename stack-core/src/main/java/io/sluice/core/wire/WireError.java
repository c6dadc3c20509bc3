package io.sluice.core.wire;

/**
 * Why a packet was rejected: the result codes of the {@code check} methods of this package, as a table of stable
 * symbols and one-line descriptions (VPP's {@code tcp_error.def} idea). A check returns {@link #OK} or one of these
 * {@code int} codes; a graph node counts the code in an array indexed by it and drops the packet, and
 * {@code show errors} prints {@link #symbol(int)} and {@link #description(int)} beside the count. Codes are dense,
 * {@code 0 ≤ code < COUNT}, and never change meaning; new ones are appended.
 *
 * <p>Two codes are results rather than faults: {@link #IP4_FRAGMENT} tells ip4-input that a header which is
 * otherwise good belongs to a fragment, so the node decides (reassemble, or drop and count). Everything else is a
 * malformed or unacceptable packet.
 */
public final class WireError {

    /** The packet passed the check. */
    public static final int OK = 0;

    /** Shorter than the 14-byte Ethernet II header, or than 18 bytes with an 802.1Q tag. */
    public static final int ETHERNET_TOO_SHORT = 1;
    /** Source MAC address has the group bit set (IEEE 802: a source is always an individual address). */
    public static final int ETHERNET_BAD_SOURCE = 2;
    /** A second VLAN tag (802.1ad QinQ) is not handled. */
    public static final int ETHERNET_STACKED_VLAN = 3;
    /** Type field below 0x0600 is an IEEE 802.3 length: LLC/SNAP frames are not handled. */
    public static final int ETHERNET_LENGTH_FIELD = 4;
    /** EtherType is neither IPv4 nor ARP. */
    public static final int ETHERNET_UNKNOWN_TYPE = 5;

    /** Shorter than the 28 bytes of an Ethernet/IPv4 ARP packet. */
    public static final int ARP_TOO_SHORT = 6;
    /** Hardware type not Ethernet (1) or hardware address length not 6. */
    public static final int ARP_BAD_HARDWARE = 7;
    /** Protocol type not IPv4 (0x0800) or protocol address length not 4. */
    public static final int ARP_BAD_PROTOCOL = 8;
    /** Operation neither request (1) nor reply (2). */
    public static final int ARP_BAD_OPERATION = 9;
    /** Sender MAC is a group address, or sender IPv4 address multicast or limited broadcast. */
    public static final int ARP_BAD_SENDER = 10;

    /** Shorter than the 20-byte IPv4 header. */
    public static final int IP4_TOO_SHORT = 11;
    /** Version field is not 4. */
    public static final int IP4_BAD_VERSION = 12;
    /** IHL below 5, or header longer than the total length. */
    public static final int IP4_BAD_HEADER_LENGTH = 13;
    /** Total length beyond the bytes received. */
    public static final int IP4_BAD_TOTAL_LENGTH = 14;
    /** Header checksum does not verify. */
    public static final int IP4_BAD_CHECKSUM = 15;
    /** Source address multicast or limited broadcast (RFC 1122 §3.2.1.3). */
    public static final int IP4_BAD_SOURCE = 16;
    /** A fragment (MF set or fragment offset non-zero): the header is good, the node decides. */
    public static final int IP4_FRAGMENT = 17;

    /** Shorter than the 8-byte ICMP header. */
    public static final int ICMP4_TOO_SHORT = 18;
    /** ICMP checksum over the whole message does not verify. */
    public static final int ICMP4_BAD_CHECKSUM = 19;
    /** Type not handled: silently discarded (RFC 1122 §3.2.2). */
    public static final int ICMP4_UNKNOWN_TYPE = 20;
    /** Code not defined for the type. */
    public static final int ICMP4_BAD_CODE = 21;
    /** Error message does not quote an IPv4 header and 8 bytes of its payload (RFC 792). */
    public static final int ICMP4_BAD_QUOTE = 22;

    /** Shorter than the 8-byte UDP header. */
    public static final int UDP_TOO_SHORT = 23;
    /** UDP length field below 8 or beyond the IP payload. */
    public static final int UDP_BAD_LENGTH = 24;
    /** UDP checksum (with the IPv4 pseudo-header) does not verify. */
    public static final int UDP_BAD_CHECKSUM = 25;

    /** Shorter than the 20-byte TCP header. */
    public static final int TCP_TOO_SHORT = 26;
    /** TCP data offset below 5 words, or header longer than the segment. */
    public static final int TCP_BAD_DATA_OFFSET = 27;
    /** TCP checksum (with the IPv4 pseudo-header) does not verify. */
    public static final int TCP_BAD_CHECKSUM = 28;
    /** SYN and FIN together (see {@link Tcp#check} for why only this combination is rejected on the wire). */
    public static final int TCP_BAD_FLAGS = 29;
    /** A TCP option's length byte is missing or its length runs past the options area (RFC 9293 §3.2). */
    public static final int TCP_OPTION_TRUNCATED = 30;
    /** A TCP option's length is 0 or 1: illegal, it cannot cover its own kind and length (RFC 9293 §3.2). */
    public static final int TCP_OPTION_BAD_LENGTH = 31;
    /** A known TCP option (MSS, window scale, SACK-permitted, SACK, timestamps) with a length its RFC forbids. */
    public static final int TCP_OPTION_WRONG_LENGTH = 32;
    /** A known TCP option appears twice in one segment. */
    public static final int TCP_OPTION_DUPLICATE = 33;

    /** Number of codes. */
    public static final int COUNT = 34;

    private static final String[] SYMBOLS = {
        "OK",
        "ETHERNET_TOO_SHORT", "ETHERNET_BAD_SOURCE", "ETHERNET_STACKED_VLAN", "ETHERNET_LENGTH_FIELD",
        "ETHERNET_UNKNOWN_TYPE",
        "ARP_TOO_SHORT", "ARP_BAD_HARDWARE", "ARP_BAD_PROTOCOL", "ARP_BAD_OPERATION", "ARP_BAD_SENDER",
        "IP4_TOO_SHORT", "IP4_BAD_VERSION", "IP4_BAD_HEADER_LENGTH", "IP4_BAD_TOTAL_LENGTH", "IP4_BAD_CHECKSUM",
        "IP4_BAD_SOURCE", "IP4_FRAGMENT",
        "ICMP4_TOO_SHORT", "ICMP4_BAD_CHECKSUM", "ICMP4_UNKNOWN_TYPE", "ICMP4_BAD_CODE", "ICMP4_BAD_QUOTE",
        "UDP_TOO_SHORT", "UDP_BAD_LENGTH", "UDP_BAD_CHECKSUM",
        "TCP_TOO_SHORT", "TCP_BAD_DATA_OFFSET", "TCP_BAD_CHECKSUM", "TCP_BAD_FLAGS",
        "TCP_OPTION_TRUNCATED", "TCP_OPTION_BAD_LENGTH", "TCP_OPTION_WRONG_LENGTH", "TCP_OPTION_DUPLICATE",
    };

    private static final String[] DESCRIPTIONS = {
        "no error",
        "ethernet frame shorter than its header",
        "ethernet source address is a group address",
        "stacked VLAN tags (QinQ) not supported",
        "802.3 length field instead of an EtherType (LLC not supported)",
        "EtherType not handled",
        "ARP packet too short",
        "ARP hardware type or length not Ethernet",
        "ARP protocol type or length not IPv4",
        "ARP operation neither request nor reply",
        "ARP sender address multicast or broadcast",
        "IPv4 packet shorter than its header",
        "IPv4 version is not 4",
        "IPv4 header length below 5 words or beyond total length",
        "IPv4 total length beyond the bytes received",
        "IPv4 header checksum error",
        "IPv4 source address multicast or broadcast",
        "IPv4 fragment",
        "ICMP message shorter than its header",
        "ICMP checksum error",
        "ICMP type not handled",
        "ICMP code not defined for its type",
        "ICMP error message quotes no IPv4 header and 8 bytes",
        "UDP datagram shorter than its header",
        "UDP length field out of range",
        "UDP checksum error",
        "TCP segment shorter than its header",
        "TCP data offset below 5 words or beyond the segment",
        "TCP checksum error",
        "TCP SYN and FIN both set",
        "TCP option truncated by the end of the options area",
        "TCP option length 0 or 1",
        "TCP option length wrong for its kind",
        "TCP option repeated in one segment",
    };

    private WireError() {}

    /** The stable symbol of {@code code}, e.g. {@code IP4_BAD_CHECKSUM}; {@code "UNKNOWN"} outside the table. */
    public static String symbol(int code) {
        return code >= 0 && code < COUNT ? SYMBOLS[code] : "UNKNOWN";
    }

    /** The one-line description of {@code code}, for {@code show errors}. */
    public static String description(int code) {
        return code >= 0 && code < COUNT ? DESCRIPTIONS[code] : "unknown error code " + code;
    }
}
