package io.sluice.core.phy;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.buffer.BufferPoolConfig;
import io.sluice.core.sys.Epoll;
import io.sluice.core.sys.SyscallException;
import io.sluice.core.sys.TunTap;
import io.sluice.core.testing.TestNamespace;
import io.sluice.core.util.AllocationMeter;
import io.sluice.core.wire.Arp;
import io.sluice.core.wire.Checksum;
import io.sluice.core.wire.Ethernet;
import io.sluice.core.wire.Icmp4;
import io.sluice.core.wire.Ip4Address;
import io.sluice.core.wire.Ipv4;
import io.sluice.core.wire.MacAddress;
import io.sluice.core.wire.WireError;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs a real multi-queue TAP: its kernel side is moved into a network namespace the test creates (so the host's
 * routing is untouched; our queue descriptors keep working across the move) and addressed from 198.18.0.0/15.
 * Needs root, /dev/net/tun and iproute2; the ping test also needs ping. Every loop is bounded by a deadline.
 */
class TapDeviceTest {

    private static final int KERNEL_IP = Ip4Address.parse("198.18.0.1").bits();
    private static final int OUR_IP = Ip4Address.parse("198.18.0.2").bits();
    private static final long OUR_MAC = MacAddress.parse("02:5c:00:00:00:02").bits();

    private BufferPool pool;
    private BufferCache cache;
    private TapDevice device;
    private TestNamespace namespace;
    private Process ping;

    @BeforeEach
    void createPool() {
        pool = BufferPool.create(BufferPoolConfig.defaults().withBufferCount(512).withCacheSize(64));
        cache = pool.newCache();
    }

    @AfterEach
    void cleanUp() throws Exception {
        try {
            if (ping != null) {
                ping.destroyForcibly();
                ping.waitFor(5, TimeUnit.SECONDS);
            }
            if (device != null) {
                device.close();
            }
        } finally {
            try {
                if (namespace != null) {
                    namespace.close();
                }
            } finally {
                cache.close();
                pool.close();
            }
        }
    }

    /** Opens a device and puts its kernel side, 198.18.0.1/24 with MTU 1500, up in a namespace of its own. */
    private TapDevice openInNamespace(int queues) throws Exception {
        String name = TestNamespace.uniqueName("sld");
        device = TapDevice.open(name, queues, 1500, OUR_MAC);
        assertEquals(name, device.name());
        namespace = TestNamespace.create("sld");
        HostLink.configure(name, namespace.name(), "198.18.0.1/24", null, 1500);
        return device;
    }

    /**
     * The kernel pings 198.18.0.2 through the TAP; the test answers its ARP request with a crafted reply and each
     * echo request with the request turned into the reply in place. ping reporting 3 of 3 received proves
     * receive, transmit and the virtio-net header handling both ways.
     */
    @Test
    void answersTheKernelsArpAndPingsThroughTheTap() throws Exception {
        TestNamespace.assumeAvailable();
        assumeTrue(TestNamespace.onPath("ping"), "needs ping (iputils-ping)");
        openInNamespace(2);
        int inUseBefore = pool.buffersInUse();
        ping = new ProcessBuilder(HostLink.inNamespace(namespace.name(), "ping", "-n", "-c", "3", "-i", "0.2", "-w",
                "10", "198.18.0.2")).redirectErrorStream(true).start();
        MemorySegment mem = pool.memory();
        int[] rx = new int[32];
        int[] tx = new int[1];
        int arpRequests = 0;
        int echoRequests = 0;
        try (Epoll epoll = Epoll.create(4)) {
            for (int q = 0; q < device.receiveQueueCount(); q++) {
                epoll.add(device.receiveReadiness(q), Epoll.EPOLLIN, q);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (ping.isAlive() && System.nanoTime() < deadline) {
                epoll.waitFor(50);
                for (int q = 0; q < device.receiveQueueCount(); q++) {
                    int n = device.receive(q, System.nanoTime(), cache, rx, 0, rx.length);
                    for (int i = 0; i < n; i++) {
                        int buffer = rx[i];
                        long off = pool.dataOffset(buffer);
                        int length = pool.currentLength(buffer);
                        int ethernet = Ethernet.check(mem, off, length);
                        assertTrue(ethernet == WireError.OK || ethernet == WireError.ETHERNET_UNKNOWN_TYPE,
                                "a well-formed frame (IPv6 is of a type the stack does not take yet)");
                        int type = Ethernet.etherType(mem, off);
                        long l3 = off + Ethernet.HEADER_LENGTH;
                        int l3Length = length - Ethernet.HEADER_LENGTH;
                        if (type == Ethernet.TYPE_ARP && Arp.check(mem, l3, l3Length) == WireError.OK
                                && Arp.operation(mem, l3) == Arp.OP_REQUEST && Arp.targetIp(mem, l3) == OUR_IP) {
                            arpRequests++;
                            assertEquals(KERNEL_IP, Arp.senderIp(mem, l3));
                            tx[0] = craftArpReply(Arp.senderMac(mem, l3));
                            assertEquals(1, device.transmit(q, System.nanoTime(), cache, tx, 0, 1));
                            cache.free(buffer);
                        } else if (type == Ethernet.TYPE_IPV4 && isEchoRequestToUs(mem, l3, l3Length)) {
                            echoRequests++;
                            Icmp4.turnEchoRequestIntoReply(mem, l3, Ipv4.DEFAULT_TTL);
                            Ethernet.turnIntoReply(mem, off, OUR_MAC);
                            tx[0] = buffer;
                            assertEquals(1, device.transmit(q, System.nanoTime(), cache, tx, 0, 1));
                        } else {
                            cache.free(buffer); // IPv6 router solicitations and the like
                        }
                    }
                }
            }
        }
        assertTrue(ping.waitFor(5, TimeUnit.SECONDS), "ping finished");
        String output = new String(ping.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(arpRequests >= 1, "the kernel asked who has 198.18.0.2: " + output);
        assertTrue(echoRequests >= 3, "three echo requests arrived: " + output);
        assertTrue(output.contains("3 packets transmitted, 3 received"), output);
        assertEquals(0, ping.exitValue(), output);

        String neighbour = namespace.exec("ip", "neigh", "show", "198.18.0.2");
        assertTrue(neighbour.contains("lladdr " + MacAddress.format(OUR_MAC)), neighbour);

        DeviceCounters counters = device.counters();
        assertTrue(counters.rxPackets() >= 4, "ARP request and 3 echo requests: " + counters.rxPackets());
        assertTrue(counters.rxBytes() >= 42 + 3 * 98, "bytes counted without the virtio-net header");
        assertTrue(counters.txPackets() >= 4, "ARP reply and 3 echo replies: " + counters.txPackets());
        assertEquals(0, counters.rxDrops());
        assertEquals(0, counters.txDrops());
        assertEquals(0, device.malformedFrames());
        assertNull(device.lastError());
        assertEquals(inUseBefore, pool.buffersInUse(), "every received and transmitted buffer went back");
    }

    /** An ARP reply in a fresh buffer: 198.18.0.2 is at our MAC, sent to the asker. */
    private int craftArpReply(long askerMac) {
        int buffer = cache.allocate();
        assertNotEquals(BufferPool.NO_BUFFER, buffer);
        MemorySegment mem = pool.memory();
        long off = pool.dataOffset(buffer);
        int length = Ethernet.emit(mem, off, askerMac, OUR_MAC, Ethernet.TYPE_ARP);
        length += Arp.emit(mem, off + length, Arp.OP_REPLY, OUR_MAC, OUR_IP, askerMac, KERNEL_IP);
        pool.setCurrentLength(buffer, length);
        return buffer;
    }

    private static boolean isEchoRequestToUs(MemorySegment mem, long ip, int length) {
        if (Ipv4.check(mem, ip, length, false) != WireError.OK || Ipv4.protocol(mem, ip) != Ipv4.PROTOCOL_ICMP
                || Ipv4.destination(mem, ip) != OUR_IP) {
            return false;
        }
        long icmp = ip + Ipv4.headerLength(mem, ip);
        int icmpLength = Ipv4.totalLength(mem, ip) - Ipv4.headerLength(mem, ip);
        return Icmp4.check(mem, icmp, icmpLength, false) == WireError.OK
                && Icmp4.type(mem, icmp) == Icmp4.TYPE_ECHO_REQUEST;
    }

    /**
     * ARP requests for 198.18.0.1 written to the TAP and the kernel's replies read back, round after round: once
     * the JIT has settled, the device's transmit and receive calls allocate nothing on the heap. Only those calls
     * are metered (the test's epoll wait allocates a little when it blocks); a round that allocates shows the JIT
     * replacing code, which happens a few times at most, while an allocation on the path would show in every round.
     */
    @Test
    void transmitAndReceiveAllocateNothingPerFrame() throws Exception {
        TestNamespace.assumeAvailable();
        openInNamespace(1);
        int replies = 0;
        try (Epoll epoll = Epoll.create(1)) {
            epoll.add(device.receiveReadiness(0), Epoll.EPOLLIN, 0);
            // Warm up until the JIT has settled, as AllocationMeter.allocatedInSteadyState does: windows of 100
            // rounds until three in a row allocate nothing in the device calls (a fixed count was too short when
            // the machine is busy and C2's queue long).
            int quietWindows = 0;
            for (int window = 0; quietWindows < AllocationMeter.QUIET_RUNS; window++) {
                assertTrue(window < AllocationMeter.MAX_WARMUP_RUNS, "the device calls never stopped allocating");
                deviceAllocation = 0;
                for (int i = 0; i < 100; i++) {
                    replies += arpRound(epoll, 8);
                }
                quietWindows = deviceAllocation == 0 ? quietWindows + 1 : 0;
            }
            int allocatingRounds = 0;
            for (int i = 0; i < 200; i++) {
                deviceAllocation = 0;
                replies += arpRound(epoll, 8);
                allocatingRounds += deviceAllocation == 0 ? 0 : 1;
            }
            assertTrue(allocatingRounds <= 5, allocatingRounds + " of 200 rounds of 8 frames each way allocated");
        }
        assertTrue(replies > 300, "the kernel answered: " + replies);
        assertEquals(0, device.counters().rxDrops());
        assertEquals(0, device.counters().txDrops());
    }

    private final int[] roundRx = new int[16];
    private final int[] roundTx = new int[16];
    private long deviceAllocation;

    /** Sends {@code count} ARP requests to the kernel side and reads what comes back for up to 200 ms. */
    private int arpRound(Epoll epoll, int count) throws SyscallException {
        MemorySegment mem = pool.memory();
        for (int i = 0; i < count; i++) {
            int buffer = cache.allocate();
            long off = pool.dataOffset(buffer);
            int length = Ethernet.emit(mem, off, MacAddress.BROADCAST, OUR_MAC, Ethernet.TYPE_ARP);
            length += Arp.emit(mem, off + length, Arp.OP_REQUEST, OUR_MAC, OUR_IP, 0L, KERNEL_IP);
            pool.setCurrentLength(buffer, length);
            roundTx[i] = buffer;
        }
        long before = AllocationMeter.allocatedBytes();
        device.transmit(0, System.nanoTime(), cache, roundTx, 0, count);
        deviceAllocation += AllocationMeter.allocatedBytes() - before;
        int replies = 0;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        while (replies < count && System.nanoTime() < deadline) {
            epoll.waitFor(10);
            before = AllocationMeter.allocatedBytes();
            int n = device.receive(0, System.nanoTime(), cache, roundRx, 0, roundRx.length);
            deviceAllocation += AllocationMeter.allocatedBytes() - before;
            for (int i = 0; i < n; i++) {
                long off = pool.dataOffset(roundRx[i]);
                if (Ethernet.etherType(mem, off) == Ethernet.TYPE_ARP
                        && Arp.operation(mem, off + Ethernet.HEADER_LENGTH) == Arp.OP_REPLY) {
                    replies++;
                }
            }
            cache.free(roundRx, 0, n);
        }
        return replies;
    }

    @Test
    void opensOneDescriptorPerQueueAndTheRequestedMtuAndMac() throws Exception {
        TestNamespace.assumeAvailable();
        String name = TestNamespace.uniqueName("sld");
        device = TapDevice.open(name, 2, 1400, OUR_MAC);
        assertEquals(2, device.receiveQueueCount());
        assertEquals(2, device.transmitQueueCount());
        assertNotEquals(device.receiveReadiness(0).intValue(), device.receiveReadiness(1).intValue());
        assertTrue(device.receiveReadiness(0).isNonBlocking());
        assertTrue(device.receiveReadiness(1).isNonBlocking());
        assertEquals(1400, device.mtu());
        assertEquals(OUR_MAC, device.macAddress());
        Path sysfs = Path.of("/sys/class/net", name);
        assertTrue(Files.isDirectory(sysfs.resolve("queues/rx-1")), "two kernel queues");
        int flags = Integer.decode(Files.readString(sysfs.resolve("tun_flags")).trim());
        assertEquals(TunTap.IFF_TAP | TunTap.IFF_NO_PI | TunTap.IFF_VNET_HDR | TunTap.IFF_MULTI_QUEUE, flags);
        int[] rx = new int[8];
        assertEquals(0, device.receive(1, 0, cache, rx, 0, rx.length), "a down interface has nothing");
    }

    @Test
    void aRandomMacIsLocallyAdministeredUnicast() {
        long mac = TapDevice.randomLocalMac();
        assertTrue((mac & MacAddress.LOCAL_BIT) != 0);
        assertFalse(MacAddress.isMulticast(mac));
    }

    @Test
    void closeRemovesTheInterfaceAndLaterCallsDropWithoutThrowing() throws Exception {
        TestNamespace.assumeAvailable();
        String name = TestNamespace.uniqueName("sld");
        device = TapDevice.open(name, 2);
        int inUse = pool.buffersInUse();
        assertTrue(Files.isDirectory(Path.of("/sys/class/net", name)));
        device.close();
        device.close();
        assertTrue(device.isClosed());
        assertFalse(Files.exists(Path.of("/sys/class/net", name)), "the interface goes with its last queue");

        int[] rx = new int[4];
        assertEquals(0, device.receive(0, 0, cache, rx, 0, rx.length));
        int[] tx = {cache.allocate()};
        pool.setCurrentLength(tx[0], 60);
        assertEquals(0, device.transmit(1, 0, cache, tx, 0, 1));
        assertEquals(1, device.counters().txDrops());
        assertEquals(inUse, pool.buffersInUse(), "the dropped frame's buffer went back to the pool");
    }

    @Test
    void aPartialUdpChecksumIsCompletedAndASegmentationFrameIsRefused() {
        ValueLayout.OfShort le = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        ValueLayout.OfShort be = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
        try (Arena arena = Arena.ofConfined()) {
            int hdr = TapDevice.VNET_HEADER_LENGTH;
            int length = 14 + 20 + 8 + 11; // an Ethernet/IPv4/UDP frame with 11 bytes of payload
            MemorySegment mem = arena.allocate(hdr + length);
            for (int i = 0; i < length; i++) {
                mem.set(JAVA_BYTE, hdr + i, (byte) (i * 7 + 3));
            }
            int start = 14 + 20;
            int field = start + 6;
            int pseudo = 0x1234;
            mem.set(be, hdr + field, (short) pseudo);
            mem.set(JAVA_BYTE, 0, (byte) TapDevice.VIRTIO_NET_HDR_F_NEEDS_CSUM);
            mem.set(le, 6, (short) start);
            mem.set(le, 8, (short) 6);
            assertEquals(TapDevice.FLAG_CHECKSUM_FIXED, TapDevice.checkHeader(mem, 0, hdr, length, 2048));
            int beforeField = Checksum.sum(mem, hdr + start, length - start);
            assertEquals(0xffff, Checksum.add(pseudo, beforeField), "pseudo-header plus segment sums to all ones");

            mem.set(le, 8, (short) (length - start)); // the field would lie past the frame's end
            assertEquals(-1, TapDevice.checkHeader(mem, 0, hdr, length, 2048));
            mem.set(JAVA_BYTE, 0, (byte) 0);
            assertEquals(0, TapDevice.checkHeader(mem, 0, hdr, length, 2048), "a complete checksum passes");
            mem.set(JAVA_BYTE, 1, (byte) 1); // VIRTIO_NET_HDR_GSO_TCPV4
            assertEquals(-1, TapDevice.checkHeader(mem, 0, hdr, length, 2048));
            mem.set(JAVA_BYTE, 1, (byte) 0);
            assertEquals(-1, TapDevice.checkHeader(mem, 0, hdr, 13, 2048), "a runt");
            assertEquals(-1, TapDevice.checkHeader(mem, 0, hdr, length, length - 1), "longer than the buffer");
        }
    }
}
