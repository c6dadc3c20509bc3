package io.sluice.core.wire;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;

/**
 * Known-good frames built by hand, byte by byte, with checksums from {@link #referenceSum} (a byte-at-a-time
 * Internet checksum written from RFC 1071 §1 independently of {@link Checksum}), and the chain of checks a receive
 * path runs ({@link #classify}). Public for the protocol nodes' tests, which feed these frames through the graph.
 */
public final class TestFrames {

    public static final long MAC_A = 0x0200_0000_0001L;
    public static final long MAC_B = 0x0200_0000_0002L;
    public static final int IP_A = 0xc612_0001; // 198.18.0.1
    public static final int IP_B = 0xc612_0002; // 198.18.0.2

    /** The options holder {@link #classify} parses into: one per thread, as a worker would have. */
    private static final ThreadLocal<TcpOptions> TCP_OPTIONS = ThreadLocal.withInitial(TcpOptions::new);

    private TestFrames() {}

    public static byte[] hex(String text) {
        return HexFormat.of().parseHex(text.replace(" ", "").replace("\n", ""));
    }

    /** RFC 1071 by the book: 16-bit big-endian words one at a time, odd byte padded on the right, carries folded. */
    public static int referenceSum(byte[] data, int from, int to) {
        long sum = 0;
        for (int i = from; i < to; i += 2) {
            int high = data[i] & 0xff;
            int low = i + 1 < to ? data[i + 1] & 0xff : 0;
            sum += high << 8 | low;
            while (sum > 0xffff) {
                sum = (sum & 0xffff) + (sum >>> 16);
            }
        }
        return (int) sum;
    }

    public static int referenceChecksum(byte[] data, int from, int to) {
        return ~referenceSum(data, from, to) & 0xffff;
    }

    public static void put16(byte[] data, int at, int value) {
        data[at] = (byte) (value >>> 8);
        data[at + 1] = (byte) value;
    }

    public static int get16(byte[] data, int at) {
        return (data[at] & 0xff) << 8 | data[at + 1] & 0xff;
    }

    /** An ARP request from 02:00:00:00:00:01 / 198.18.0.1 for 198.18.0.2, broadcast, unpadded: 42 bytes. */
    public static byte[] arpRequest() {
        return hex("ffffffffffff 020000000001 0806"
                + "0001 0800 06 04 0001 020000000001 c6120001 000000000000 c6120002");
    }

    private static byte[] ipv4Frame(String ethernet, int protocol, byte[] payload, int src, int dst) {
        byte[] eth = hex(ethernet);
        byte[] frame = new byte[eth.length + 20 + payload.length];
        System.arraycopy(eth, 0, frame, 0, eth.length);
        int ip = eth.length;
        byte[] header = hex("4500 0000 1234 4000 4000 0000 00000000 00000000");
        put16(header, 2, 20 + payload.length);
        header[9] = (byte) protocol;
        header[12] = (byte) (src >>> 24);
        header[13] = (byte) (src >>> 16);
        header[14] = (byte) (src >>> 8);
        header[15] = (byte) src;
        header[16] = (byte) (dst >>> 24);
        header[17] = (byte) (dst >>> 16);
        header[18] = (byte) (dst >>> 8);
        header[19] = (byte) dst;
        put16(header, 10, referenceChecksum(header, 0, 20));
        System.arraycopy(header, 0, frame, ip, 20);
        System.arraycopy(payload, 0, frame, ip + 20, payload.length);
        return frame;
    }

    /** An ICMP echo request, id 0x002a, sequence 1, 56 data bytes 0..55, 198.18.0.1 → 198.18.0.2: 98 bytes. */
    public static byte[] icmpEchoRequest() {
        byte[] icmp = new byte[64];
        icmp[0] = 8;
        put16(icmp, 4, 0x2a);
        put16(icmp, 6, 1);
        for (int i = 8; i < icmp.length; i++) {
            icmp[i] = (byte) (i - 8);
        }
        put16(icmp, 2, referenceChecksum(icmp, 0, icmp.length));
        return ipv4Frame("020000000002 020000000001 0800", 1, icmp, IP_A, IP_B);
    }

    /** UDP 1234 → 7 with {@code payloadLength} bytes, 198.18.0.1 → 198.18.0.2, optionally 802.1Q-tagged. */
    public static byte[] udp(int payloadLength, boolean vlan) {
        byte[] udp = new byte[8 + payloadLength];
        put16(udp, 0, 1234);
        put16(udp, 2, 7);
        put16(udp, 4, udp.length);
        for (int i = 8; i < udp.length; i++) {
            udp[i] = (byte) ('a' + i % 26);
        }
        byte[] pseudo = new byte[12 + udp.length];
        put16(pseudo, 0, IP_A >>> 16);
        put16(pseudo, 2, IP_A & 0xffff);
        put16(pseudo, 4, IP_B >>> 16);
        put16(pseudo, 6, IP_B & 0xffff);
        pseudo[9] = 17;
        put16(pseudo, 10, udp.length);
        System.arraycopy(udp, 0, pseudo, 12, udp.length);
        int checksum = referenceChecksum(pseudo, 0, pseudo.length);
        put16(udp, 6, checksum == 0 ? 0xffff : checksum);
        String ethernet = vlan ? "020000000002 020000000001 8100 0064 0800" : "020000000002 020000000001 0800";
        return ipv4Frame(ethernet, 17, udp, IP_A, IP_B);
    }

    /** ICMP port unreachable 198.18.0.2 → 198.18.0.1 quoting the IP header and 8 bytes of {@code udp(12)}. */
    public static byte[] portUnreachable() {
        byte[] original = udp(12, false);
        byte[] icmp = new byte[8 + 28];
        icmp[0] = 3;
        icmp[1] = 3;
        System.arraycopy(original, 14, icmp, 8, 28);
        put16(icmp, 2, referenceChecksum(icmp, 0, icmp.length));
        return ipv4Frame("020000000001 020000000002 0800", 1, icmp, IP_B, IP_A);
    }

    /**
     * A TCP segment 198.18.0.1 → 198.18.0.2 in an Ethernet frame: {@code header} is the TCP header in hex with a
     * zero checksum, which is filled in by {@link #fixTcpChecksum}; {@code payload} follows it.
     */
    public static byte[] tcp(String header, byte[] payload) {
        byte[] head = hex(header);
        byte[] segment = new byte[head.length + payload.length];
        System.arraycopy(head, 0, segment, 0, head.length);
        System.arraycopy(payload, 0, segment, head.length, payload.length);
        byte[] frame = ipv4Frame("020000000002 020000000001 0800", Ipv4.PROTOCOL_TCP, segment, IP_A, IP_B);
        fixTcpChecksum(frame, 14);
        return frame;
    }

    /** Recomputes the TCP checksum of the segment in the IPv4 datagram at {@code ip}, by the book (RFC 9293 §3.1). */
    public static void fixTcpChecksum(byte[] frame, int ip) {
        int headerLength = (frame[ip] & 0x0f) * 4;
        int tcp = ip + headerLength;
        int end = ip + get16(frame, ip + 2);
        put16(frame, tcp + 16, 0);
        byte[] pseudo = new byte[12 + end - tcp];
        System.arraycopy(frame, ip + 12, pseudo, 0, 8);
        pseudo[9] = Ipv4.PROTOCOL_TCP;
        put16(pseudo, 10, end - tcp);
        System.arraycopy(frame, tcp, pseudo, 12, end - tcp);
        put16(frame, tcp + 16, referenceChecksum(pseudo, 0, pseudo.length));
    }

    /**
     * A SYN 40000 → 80, seq 0x01020304, window 64240, with MSS 1460, SACK-Permitted, Timestamps (TSval
     * 0x0a0b0c0d, TSecr 0), NOP and Window Scale 7: the layout {@link TcpOptions#emitSyn} writes. 74 bytes.
     */
    public static byte[] tcpSyn() {
        return tcp("9c40 0050 01020304 00000000 a002 faf0 0000 0000"
                + "020405b4 0402080a 0a0b0c0d 00000000 01030307", new byte[0]);
    }

    /**
     * PSH+ACK 40000 → 80, seq 0x01020305, ack 0xc0000001, window 501, with NOP NOP Timestamps (0x0a0b0c0e,
     * 0x0000abcd) and NOP NOP SACK [0xc0000100, 0xc0000200), then 11 bytes of data "hello, tcp!".
     */
    public static byte[] tcpData() {
        return tcp("9c40 0050 01020305 c0000001 b018 01f5 0000 0000"
                + "0101080a 0a0b0c0e 0000abcd 0101050a c0000100 c0000200",
                "hello, tcp!".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    /** A SYN with MSS 1460 and an experimental option (kind 254, RFC 6994) that a receiver skips. */
    public static byte[] tcpSynWithUnknownOption() {
        return tcp("9c41 0050 00000001 00000000 7002 ffff 0000 0000 020405b4 fe041234", new byte[0]);
    }

    /** The known-good TCP frames. */
    public static byte[][] tcpFrames() {
        return new byte[][] {tcpSyn(), tcpData(), tcpSynWithUnknownOption()};
    }

    /** The known-good frames of every layer: {@link #goodFrames()} and then {@link #tcpFrames()}. */
    public static byte[][] allGoodFrames() {
        byte[][] good = goodFrames();
        byte[][] tcp = tcpFrames();
        byte[][] all = java.util.Arrays.copyOf(good, good.length + tcp.length);
        System.arraycopy(tcp, 0, all, good.length, tcp.length);
        return all;
    }

    /** All the known-good frames below TCP. */
    public static byte[][] goodFrames() {
        return new byte[][] {arpRequest(), icmpEchoRequest(), udp(12, false), udp(13, false), udp(0, true),
            portUnreachable()};
    }

    /** An off-heap segment holding exactly {@code frame}, so any read beyond its end throws. */
    public static MemorySegment offHeap(Arena arena, byte[] frame) {
        MemorySegment segment = arena.allocate(Math.max(1, frame.length)).asSlice(0, frame.length);
        MemorySegment.copy(frame, 0, segment, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, frame.length);
        return segment;
    }

    /**
     * The checks a receive path runs on a frame, in order: Ethernet, then ARP or IPv4, then ICMP, UDP or TCP. Returns
     * the first result that is not {@link WireError#OK}, or OK. A TCP segment's options are parsed too.
     */
    public static int classify(MemorySegment mem, long off, int length) {
        int result = Ethernet.check(mem, off, length);
        if (result != WireError.OK) {
            return result;
        }
        int ethernetLength = Ethernet.headerLength(mem, off);
        long ip = off + ethernetLength;
        int available = length - ethernetLength;
        if (Ethernet.payloadType(mem, off) == Ethernet.TYPE_ARP) {
            return Arp.check(mem, ip, available);
        }
        result = Ipv4.check(mem, ip, available, false);
        if (result != WireError.OK) {
            return result;
        }
        int headerLength = Ipv4.headerLength(mem, ip);
        long transport = ip + headerLength;
        int transportLength = Ipv4.totalLength(mem, ip) - headerLength;
        if (Ipv4.protocol(mem, ip) == Ipv4.PROTOCOL_TCP) {
            result = Tcp.check(mem, transport, transportLength, Ipv4.source(mem, ip), Ipv4.destination(mem, ip),
                    false);
            return result != WireError.OK ? result : TCP_OPTIONS.get().parseSegment(mem, transport);
        }
        return switch (Ipv4.protocol(mem, ip)) {
            case Ipv4.PROTOCOL_ICMP -> Icmp4.check(mem, transport, transportLength, false);
            case Ipv4.PROTOCOL_UDP -> Udp.check(mem, transport, transportLength, Ipv4.source(mem, ip),
                    Ipv4.destination(mem, ip), false);
            default -> WireError.OK;
        };
    }
}
