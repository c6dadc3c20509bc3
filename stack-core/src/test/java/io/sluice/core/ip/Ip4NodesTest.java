package io.sluice.core.ip;

import static io.sluice.core.wire.TestFrames.IP_A;
import static io.sluice.core.wire.TestFrames.IP_B;
import static io.sluice.core.wire.TestFrames.MAC_A;
import static io.sluice.core.wire.TestFrames.hex;
import static io.sluice.core.wire.TestFrames.put16;
import static io.sluice.core.wire.TestFrames.referenceChecksum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.buffer.BufferPool;
import io.sluice.core.iface.Interface;
import io.sluice.core.phy.LoopbackDevice;
import io.sluice.core.wire.Ip4Prefix;
import io.sluice.core.wire.TestFrames;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The IPv4 nodes in a graph between a feeding input node and capturing stubs: exact bytes out, exact reasons
 * counted. Interface 0 has 02:00:00:00:00:02 and 198.18.0.2/24; the peer is 02:00:00:00:00:01 at 198.18.0.1.
 */
class Ip4NodesTest {

    private static final long S = ArpSettings.SECOND;
    private static final String ETH = EthernetInputNode.NAME;
    private static final String ARP = ArpInputNode.NAME;
    private static final String IP4 = Ip4InputNode.NAME;
    private static final String OUT = Ip4OutputNode.NAME;
    private static final String NEIGHBOUR = Ip4NeighbourNode.NAME;

    private final Ip4Harness h = new Ip4Harness(ArpSettings.defaults(256), false);

    @AfterEach
    void close() {
        h.close();
    }

    // ------------------------------------------------------------------------------------------------- helpers

    /** The IPv4 datagram of a test frame (its Ethernet header removed). */
    private static byte[] datagram(byte[] frame) {
        return Arrays.copyOfRange(frame, 14, frame.length);
    }

    /** Rewrites the IPv4 header at {@code at}: destination, identification; recomputes its checksum. */
    private static byte[] readdress(byte[] bytes, int at, int destination, int identification) {
        byte[] out = bytes.clone();
        put16(out, at + 16, destination >>> 16);
        put16(out, at + 18, destination & 0xffff);
        put16(out, at + 4, identification);
        return fixChecksum(out, at);
    }

    private static byte[] fixChecksum(byte[] bytes, int at) {
        int headerLength = (bytes[at] & 0x0f) * 4;
        put16(bytes, at + 10, 0);
        put16(bytes, at + 10, referenceChecksum(bytes, at, at + headerLength));
        return bytes;
    }

    private static byte[] ethernet(long destination, long source, int type) {
        return hex(String.format("%012x %012x %04x", destination, source, type));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] arp(int op, long senderMac, int senderIp, long targetMac, int targetIp) {
        return hex(String.format("0001 0800 06 04 %04x %012x %08x %012x %08x", op, senderMac, senderIp, targetMac,
                targetIp));
    }

    private static void assertBytes(byte[] expected, byte[] actual) {
        assertEquals(HexFormat.of().formatHex(expected), HexFormat.of().formatHex(actual));
    }

    private static final long MAC_B = TestFrames.MAC_B;
    private static final long BROADCAST = 0xffff_ffff_ffffL;
    private static final int IP_C = 0xc612_0009; // 198.18.0.9, nobody

    // ---------------------------------------------------------------------------------------------------- ARP

    @Test
    void arpRequestForOurAddressIsAnsweredInPlaceAndTeachesTheSender() {
        h.receive(TestFrames.arpRequest(), Ip4Harness.IF0);
        h.run();
        byte[] expected = concat(ethernet(MAC_A, MAC_B, 0x0806), arp(2, MAC_B, IP_B, MAC_A, IP_A));
        assertBytes(expected, h.output.only());
        assertEquals(Ip4Harness.IF0, h.output.captured.getFirst().txInterface());
        assertEquals(ArpTable.REACHABLE, h.layer.arpTable().state(Ip4Harness.IF0, IP_A));
        assertEquals(MAC_A, h.layer.arpTable().macOf(Ip4Harness.IF0, IP_A));
        assertEquals(Map.of("interface-output/captured", 1L), h.errors());
    }

    @Test
    void paddedArpRequestIsAnsweredWithItsPaddingKept() {
        byte[] padded = Arrays.copyOf(TestFrames.arpRequest(), 60);
        h.receive(padded, Ip4Harness.IF0);
        h.run();
        byte[] expected = Arrays.copyOf(concat(ethernet(MAC_A, MAC_B, 0x0806), arp(2, MAC_B, IP_B, MAC_A, IP_A)), 60);
        assertBytes(expected, h.output.only());
    }

    @Test
    void arpRequestForAnotherHostIsNotAnsweredAndCreatesNothing() {
        byte[] request = concat(ethernet(BROADCAST, MAC_A, 0x0806), arp(1, MAC_A, IP_A, 0, IP_C));
        h.receive(request, Ip4Harness.IF0);
        h.run();
        assertTrue(h.output.captured.isEmpty());
        assertEquals(ArpTable.FREE, h.layer.arpTable().state(Ip4Harness.IF0, IP_A));
        assertEquals(1, h.count(ARP, "request-not-for-us"));
    }

    @Test
    void arpFromAKnownNeighbourUpdatesItWhoeverTheTargetIs() {
        // A packet for the peer waits for its address; a request from the peer for someone else releases it.
        h.send(readdress(datagram(TestFrames.udp(4, false)), 0, IP_A, 7));
        h.run();
        assertEquals(1, h.output.captured.size(), "one ARP request");
        h.output.captured.clear();
        h.receive(concat(ethernet(BROADCAST, MAC_A, 0x0806), arp(1, MAC_A, IP_A, 0, IP_C)), Ip4Harness.IF0);
        h.run();
        byte[] sent = h.output.only();
        assertBytes(ethernet(MAC_A, MAC_B, 0x0800), Arrays.copyOf(sent, 14));
        assertEquals(ArpTable.REACHABLE, h.layer.arpTable().state(Ip4Harness.IF0, IP_A));
    }

    @Test
    void gratuitousArpProbesConflictsAndRepliesAreConsumedWithTheirReasons() {
        h.receive(concat(ethernet(BROADCAST, MAC_A, 0x0806), arp(1, MAC_A, IP_A, 0, IP_A)), Ip4Harness.IF0);
        h.receive(concat(ethernet(BROADCAST, MAC_A, 0x0806), arp(1, MAC_A, 0, 0, IP_C)), Ip4Harness.IF0);
        h.receive(concat(ethernet(BROADCAST, MAC_A, 0x0806), arp(1, MAC_A, IP_B, 0, IP_B)), Ip4Harness.IF0);
        h.receive(concat(ethernet(MAC_B, MAC_A, 0x0806), arp(2, MAC_A, IP_A, MAC_B, IP_B)), Ip4Harness.IF0);
        h.receive(concat(ethernet(BROADCAST, MAC_A, 0x0806), arp(3, MAC_A, IP_A, 0, IP_B)), Ip4Harness.IF0);
        h.receive(Arrays.copyOf(TestFrames.arpRequest(), 40), Ip4Harness.IF0);
        h.run();
        assertEquals(Map.of(ARP + "/gratuitous-arp", 1L, ARP + "/probe-not-for-us", 1L,
                ARP + "/address-conflict", 1L, ARP + "/reply-received", 1L, ARP + "/arp-bad-operation", 1L,
                ARP + "/arp-too-short", 1L), h.errors());
        // The reply was for us: the peer is learned (RFC 826: we are the target).
        assertEquals(ArpTable.REACHABLE, h.layer.arpTable().state(Ip4Harness.IF0, IP_A));
    }

    @Test
    void probeForOurAddressIsAnsweredToDefendIt() {
        h.receive(concat(ethernet(BROADCAST, MAC_A, 0x0806), arp(1, MAC_A, 0, 0, IP_B)), Ip4Harness.IF0);
        h.run();
        assertBytes(concat(ethernet(MAC_A, MAC_B, 0x0806), arp(2, MAC_B, IP_B, MAC_A, 0)), h.output.only());
        assertEquals(ArpTable.FREE, h.layer.arpTable().state(Ip4Harness.IF0, 0));
    }

    // ----------------------------------------------------------------------------------------- ethernet-input

    @Test
    void ethernetInputDispatchesAndDropsByName() {
        byte[] udp = TestFrames.udp(4, false);
        h.receive(udp, Ip4Harness.IF0);
        byte[] otherMac = udp.clone();
        otherMac[5] = 0x77;
        h.receive(otherMac, Ip4Harness.IF0);
        byte[] multicast = udp.clone();
        multicast[0] = 0x01;
        h.receive(multicast, Ip4Harness.IF0);
        h.receive(TestFrames.udp(4, true), Ip4Harness.IF0);
        byte[] ipv6 = udp.clone();
        put16(ipv6, 12, 0x86dd);
        h.receive(ipv6, Ip4Harness.IF0);
        byte[] other = udp.clone();
        put16(other, 12, 0x88cc);
        h.receive(other, Ip4Harness.IF0);
        byte[] llc = udp.clone();
        put16(llc, 12, 0x0040);
        h.receive(llc, Ip4Harness.IF0);
        h.receive(Arrays.copyOf(udp, 13), Ip4Harness.IF0);
        byte[] groupSource = udp.clone();
        groupSource[6] = 0x01;
        h.receive(groupSource, Ip4Harness.IF0);
        byte[] qinq = udp.clone();
        put16(qinq, 12, 0x88a8);
        h.receive(qinq, Ip4Harness.IF0);
        h.receive(udp, 5);
        h.run();
        assertEquals(Map.of("udp4-input/captured", 1L, ETH + "/not-our-mac", 1L, ETH + "/multicast", 1L,
                ETH + "/vlan-tagged", 1L, ETH + "/ipv6-not-supported", 1L, ETH + "/ethernet-unknown-type", 1L,
                ETH + "/ethernet-length-field", 1L, ETH + "/ethernet-too-short", 1L,
                ETH + "/ethernet-bad-source", 1L, ETH + "/ethernet-stacked-vlan", 1L),
                h.errors().entrySet().stream().filter(e -> !e.getKey().endsWith("unknown-interface"))
                        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        assertEquals(1, h.count(ETH, "unknown-interface"));
        // What udp4-input got starts at the IPv4 header and keeps the receiving interface.
        assertBytes(datagram(udp), h.udp.only());
        assertEquals(Ip4Harness.IF0, h.udp.captured.getFirst().rxInterface());
    }

    @Test
    void framesOnAnInterfaceThatIsDownAreDropped() {
        h.interfaces.get(Ip4Harness.IF0).setAdminUp(false);
        h.receive(TestFrames.udp(4, false), Ip4Harness.IF0);
        h.run();
        assertEquals(Map.of(ETH + "/interface-down", 1L), h.errors());
    }

    // -------------------------------------------------------------------------------------------- ip4-input

    @Test
    void ip4InputDeliversIcmpAndUdpAtTheIpHeader() {
        h.receive(TestFrames.icmpEchoRequest(), Ip4Harness.IF0);
        h.receive(TestFrames.udp(12, false), Ip4Harness.IF0);
        h.run();
        assertBytes(datagram(TestFrames.icmpEchoRequest()), h.icmp.only());
        assertBytes(datagram(TestFrames.udp(12, false)), h.udp.only());
    }

    @Test
    void ethernetPaddingIsTrimmedToTheTotalLength() {
        byte[] small = TestFrames.udp(0, false); // 42 bytes
        byte[] padded = Arrays.copyOf(small, 60);
        Arrays.fill(padded, 42, 60, (byte) 0xee);
        h.receive(padded, Ip4Harness.IF0);
        h.run();
        assertBytes(datagram(small), h.udp.only());
    }

    @Test
    void eachBadHeaderFieldIsCountedUnderItsReason() {
        byte[] good = TestFrames.udp(12, false);
        int ip = 14;
        byte[] version = good.clone();
        version[ip] = 0x65;
        h.receive(fixChecksum(version, ip), Ip4Harness.IF0);
        byte[] ihl = good.clone();
        ihl[ip] = 0x44;
        h.receive(ihl, Ip4Harness.IF0);
        byte[] total = good.clone();
        put16(total, ip + 2, good.length - ip + 1);
        h.receive(fixChecksum(total, ip), Ip4Harness.IF0);
        byte[] checksum = good.clone();
        checksum[ip + 10] ^= 1;
        h.receive(checksum, Ip4Harness.IF0);
        byte[] source = good.clone();
        source[ip + 12] = (byte) 224;
        h.receive(fixChecksum(source, ip), Ip4Harness.IF0);
        h.receive(Arrays.copyOf(good, ip + 19), Ip4Harness.IF0);
        byte[] fragment = good.clone();
        put16(fragment, ip + 6, 0x2000);
        h.receive(fixChecksum(fragment, ip), Ip4Harness.IF0);
        h.receive(readdress(good, ip, IP_C, 1), Ip4Harness.IF0);
        h.receive(readdress(good, ip, 0x0a00_0001, 1), Ip4Harness.IF0);
        h.receive(readdress(good, ip, 0xe000_00fb, 1), Ip4Harness.IF0);
        byte[] gre = good.clone();
        gre[ip + 9] = 47;
        h.receive(fixChecksum(gre, ip), Ip4Harness.IF0);
        h.run();
        assertEquals(Map.of(IP4 + "/ip4-bad-version", 1L, IP4 + "/ip4-bad-header-length", 1L,
                IP4 + "/ip4-bad-total-length", 1L, IP4 + "/ip4-bad-checksum", 1L, IP4 + "/ip4-bad-source", 1L,
                IP4 + "/ip4-too-short", 1L, IP4 + "/fragment-dropped", 1L, IP4 + "/not-for-us", 2L,
                IP4 + "/multicast", 1L, IP4 + "/unknown-protocol", 1L), h.errors());
    }

    @Test
    void ttlZeroToUsIsDeliveredSinceOnlyForwardingChecksIt() {
        byte[] frame = TestFrames.udp(12, false);
        frame[14 + 8] = 0;
        h.receive(fixChecksum(frame, 14), Ip4Harness.IF0);
        h.run();
        assertBytes(datagram(frame), h.udp.only());
    }

    @Test
    void broadcastsOfTheReceivingInterfaceAreForUs() {
        byte[] limited = readdress(TestFrames.udp(12, false), 14, 0xffff_ffff, 1);
        byte[] directed = readdress(TestFrames.udp(12, false), 14, 0xc612_00ff, 2);
        byte[] otherNet = readdress(TestFrames.udp(12, false), 14, 0xc612_01ff, 3);
        for (byte[] f : new byte[][] {limited, directed, otherNet}) {
            System.arraycopy(ethernet(BROADCAST, MAC_A, 0x0800), 0, f, 0, 14);
            h.receive(f, Ip4Harness.IF0);
        }
        h.run();
        assertEquals(2, h.udp.captured.size());
        assertEquals(1, h.count(IP4, "not-for-us"));
    }

    // ------------------------------------------------------------------------------------------- ip4-output

    @Test
    void resolvedNeighbourGetsTheFrameAtOnce() {
        h.layer.arpTable().addStatic(Ip4Harness.IF0, IP_A, MAC_A);
        byte[] packet = readdress(datagram(TestFrames.udp(12, false)), 0, IP_A, 1);
        h.send(packet);
        h.run();
        assertBytes(concat(ethernet(MAC_A, MAC_B, 0x0800), packet), h.output.only());
        assertEquals(Ip4Harness.IF0, h.output.captured.getFirst().txInterface());
    }

    @Test
    void unresolvedNeighbourGetsOneRequestAndThePacketsInOrderOnReply() {
        for (int id = 1; id <= 3; id++) {
            h.send(readdress(datagram(TestFrames.udp(12, false)), 0, IP_A, id));
        }
        h.run();
        assertBytes(concat(ethernet(BROADCAST, MAC_B, 0x0806), arp(1, MAC_B, IP_B, 0, IP_A)), h.output.only());
        h.output.captured.clear();
        h.receive(concat(ethernet(MAC_B, MAC_A, 0x0806), arp(2, MAC_A, IP_A, MAC_B, IP_B)), Ip4Harness.IF0);
        h.send(readdress(datagram(TestFrames.udp(12, false)), 0, IP_A, 4));
        h.run();
        assertEquals(4, h.output.captured.size());
        for (int i = 0; i < 4; i++) {
            byte[] frame = h.output.captured.get(i).bytes();
            assertBytes(concat(ethernet(MAC_A, MAC_B, 0x0800),
                    readdress(datagram(TestFrames.udp(12, false)), 0, IP_A, i + 1)), frame);
        }
        assertEquals(Map.of(ARP + "/reply-received", 1L, "interface-output/captured", 5L), h.errors());
    }

    @Test
    void unansweredNeighbourFailsAfterThreeRequestsAndItsPacketsAreDropped() {
        int freeBefore = h.pool.buffersFree();
        h.send(readdress(datagram(TestFrames.udp(12, false)), 0, IP_C, 1));
        h.send(readdress(datagram(TestFrames.udp(12, false)), 0, IP_C, 2));
        h.run(Ip4Harness.NOW);
        assertEquals(1, h.output.captured.size());
        h.advance(Ip4Harness.NOW + S);
        assertEquals(2, h.output.captured.size());
        h.advance(Ip4Harness.NOW + 2 * S);
        assertEquals(3, h.output.captured.size());
        for (Ip4Harness.Captured c : h.output.captured) {
            assertBytes(concat(ethernet(BROADCAST, MAC_B, 0x0806), arp(1, MAC_B, IP_B, 0, IP_C)), c.bytes());
        }
        assertEquals(0, h.count(NEIGHBOUR, "arp-failed"));
        h.advance(Ip4Harness.NOW + 3 * S);
        assertEquals(2, h.count(NEIGHBOUR, "arp-failed"));
        assertEquals(3, h.output.captured.size());
        assertEquals(ArpTable.FREE, h.layer.arpTable().state(Ip4Harness.IF0, IP_C));
        assertEquals(freeBefore, h.pool.buffersFree());
    }

    @Test
    void staleNeighbourIsStillUsedAndPolledByUnicast() {
        h.receive(TestFrames.arpRequest(), Ip4Harness.IF0); // teaches 198.18.0.1
        h.run();
        h.output.captured.clear();
        long later = Ip4Harness.NOW + ArpSettings.DEFAULT_REACHABLE_NANOS + S;
        h.advance(later);
        assertEquals(ArpTable.STALE, h.layer.arpTable().state(Ip4Harness.IF0, IP_A));
        byte[] packet = readdress(datagram(TestFrames.udp(12, false)), 0, IP_A, 1);
        h.send(packet);
        h.run(later);
        assertEquals(2, h.output.captured.size());
        assertBytes(concat(ethernet(MAC_A, MAC_B, 0x0800), packet), h.output.captured.get(0).bytes());
        assertBytes(concat(ethernet(MAC_A, MAC_B, 0x0806), arp(1, MAC_B, IP_B, 0, IP_A)),
                h.output.captured.get(1).bytes());
    }

    @Test
    void fullNeighbourQueueFreesThePacketAndCountsIt() {
        try (Ip4Harness tiny = new Ip4Harness(new ArpSettings(1, 1, 300 * S, 60 * S, S, 3, 0), false)) {
            int freeBefore = tiny.pool.buffersFree();
            Ip4Neighbours neighbours = tiny.layer.neighbours();
            for (int i = 0; i < 3; i++) {
                int b = tiny.cache.copyIn(datagram(TestFrames.udp(12, false)), 0, 40);
                neighbours.transmit(Ip4Harness.IF0, b, MAC_A);
            }
            assertEquals(2, neighbours.queued());
            tiny.run();
            assertEquals(2, tiny.output.captured.size());
            assertEquals(Map.of(NEIGHBOUR + "/neighbour-queue-full", 1L, "interface-output/captured", 2L),
                    tiny.errors());
            assertEquals(freeBefore, tiny.pool.buffersFree());
        }
    }

    @Test
    void fullPendingQueueDropsTheNewestWithItsReason() {
        for (int id = 1; id <= ArpSettings.DEFAULT_PENDING + 2; id++) {
            h.send(readdress(datagram(TestFrames.udp(12, false)), 0, IP_C, id));
        }
        h.run();
        assertEquals(2, h.count(OUT, "arp-queue-full"));
        assertEquals(ArpSettings.DEFAULT_PENDING, h.layer.arpTable().pendingCount(Ip4Harness.IF0, IP_C));
    }

    @Test
    void ourOwnAddressLoopsBackToIp4InputWithoutArpOrDevice() {
        byte[] packet = readdress(datagram(TestFrames.udp(12, false)), 0, IP_B, 1);
        h.send(packet);
        h.run();
        assertBytes(packet, h.udp.only());
        assertEquals(Ip4Harness.IF0, h.udp.captured.getFirst().rxInterface());
        assertTrue(h.output.captured.isEmpty());
    }

    @Test
    void largeDatagramToOurselvesLoopsBackAsAChain() {
        byte[] large = readdress(datagram(TestFrames.udp(3000, false)), 0, IP_B, 1);
        int b = h.send(large);
        assertTrue(h.pool.nextBuffer(b) != BufferPool.NO_BUFFER, "a chain");
        byte[] padded = Arrays.copyOf(large, large.length + 10);
        h.send(padded);
        h.run();
        assertBytes(large, h.udp.only());
        assertEquals(1, h.count(IP4, "chained-padding"));
    }

    @Test
    void broadcastsGoToTheEthernetBroadcastAddress() {
        byte[] directed = readdress(datagram(TestFrames.udp(12, false)), 0, 0xc612_00ff, 1);
        directed = readdressSource(directed, IP_B);
        byte[] limited = readdressSource(readdress(directed, 0, 0xffff_ffff, 2), IP_B);
        h.send(directed);
        h.send(limited);
        h.run();
        assertEquals(2, h.output.captured.size());
        assertBytes(concat(ethernet(BROADCAST, MAC_B, 0x0800), directed), h.output.captured.get(0).bytes());
        assertBytes(concat(ethernet(BROADCAST, MAC_B, 0x0800), limited), h.output.captured.get(1).bytes());
    }

    private static byte[] readdressSource(byte[] packet, int source) {
        byte[] out = packet.clone();
        put16(out, 12, source >>> 16);
        put16(out, 14, source & 0xffff);
        return fixChecksum(out, 0);
    }

    @Test
    void noRouteAndStaticRoutesViaAGateway() {
        byte[] far = readdress(datagram(TestFrames.udp(12, false)), 0, 0x0a00_0001, 1);
        h.send(far);
        h.run();
        assertEquals(1, h.count(OUT, "no-route"));
        h.fib.addRoute(Ip4Prefix.parse("10.0.0.0/8"), IP_A, Ip4Harness.IF0);
        h.layer.arpTable().addStatic(Ip4Harness.IF0, IP_A, MAC_A);
        h.send(far);
        h.run();
        assertBytes(concat(ethernet(MAC_A, MAC_B, 0x0800), far), h.output.only());
    }

    @Test
    void datagramLongerThanTheMtuIsDroppedNotFragmented() {
        Interface small = h.interfaces.add(new LoopbackDevice("if1", 0x0200_0000_0003L, 576, 64));
        h.fib.addInterfaceAddress(small.index(), Ip4Prefix.parse("198.19.0.2/24"));
        h.layer.arpTable().addStatic(small.index(), 0xc613_0001, MAC_A);
        h.send(readdress(datagram(TestFrames.udp(576 - 28, false)), 0, 0xc613_0001, 1));
        h.send(readdress(datagram(TestFrames.udp(577 - 28, false)), 0, 0xc613_0001, 2));
        h.run();
        assertEquals(1, h.count(OUT, "mtu-exceeded"));
        assertEquals(1, h.output.captured.size());
        assertEquals(small.index(), h.output.captured.getFirst().txInterface());
    }

    @Test
    void multicastAndDownInterfacesAreNamedDrops() {
        h.send(readdress(datagram(TestFrames.udp(12, false)), 0, 0xe000_0001, 1));
        h.interfaces.get(Ip4Harness.IF0).setAdminUp(false);
        h.send(readdress(datagram(TestFrames.udp(12, false)), 0, IP_A, 2));
        h.run();
        assertEquals(Map.of(OUT + "/multicast", 1L, OUT + "/interface-down", 1L), h.errors());
    }

    // ---------------------------------------------------------------------------------------- announcements

    @Test
    void gratuitousArpForEachAddressWhenAddedAndWhenTheInterfaceComesUp() {
        try (Ip4Harness announcing = new Ip4Harness(ArpSettings.defaults(16), true)) {
            announcing.run();
            assertBytes(concat(ethernet(BROADCAST, MAC_B, 0x0806), arp(1, MAC_B, IP_B, 0, IP_B)),
                    announcing.output.only());
            announcing.run();
            assertEquals(1, announcing.output.captured.size(), "nothing new, nothing sent");
            announcing.fib.addInterfaceAddress(Ip4Harness.IF0, Ip4Prefix.parse("198.18.1.2/24"));
            announcing.run();
            assertEquals(2, announcing.output.captured.size());
            assertBytes(concat(ethernet(BROADCAST, MAC_B, 0x0806), arp(1, MAC_B, 0xc612_0102, 0, 0xc612_0102)),
                    announcing.output.captured.get(1).bytes());
            Interface if0 = announcing.interfaces.get(Ip4Harness.IF0);
            if0.setAdminUp(false);
            announcing.run();
            if0.setAdminUp(true);
            announcing.run();
            assertEquals(4, announcing.output.captured.size(), "both addresses announced again on up");
        }
    }
}
