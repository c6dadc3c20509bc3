package io.sluice.core.sys;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.core.phy.HostLink;
import io.sluice.core.testing.TestNamespace;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Creates real interfaces, so it needs /dev/net/tun and root; each test closes its queues (which removes the
 * interface, none is persistent) and deletes any namespace it made, whether it passes or fails.
 */
class TunTapTest {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final List<TunTap> queues = new ArrayList<>();
    private TestNamespace namespace;

    @AfterEach
    void cleanUp() throws Exception {
        try {
            for (TunTap queue : queues) {
                queue.close();
            }
        } finally {
            if (namespace != null) {
                namespace.close();
            }
        }
    }

    private static void assumeTunAvailable() throws IOException {
        assumeTrue(Files.exists(Path.of(TunTap.CLONE_DEVICE)), TunTap.CLONE_DEVICE + " is absent");
        assumeTrue((int) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0,
                "creating TUN/TAP interfaces needs root (CAP_NET_ADMIN)");
    }

    /** A name unique to this JVM and test, within IFNAMSIZ: "slt" + 5 digits of pid + sequence. */
    private static String uniqueName() {
        return "slt" + ProcessHandle.current().pid() % 100_000 + "x" + SEQUENCE.incrementAndGet();
    }

    private TunTap open(String name, int flags) throws SyscallException {
        TunTap tap = TunTap.open(name, flags);
        queues.add(tap);
        return tap;
    }

    private static Path sysfs(String name) {
        return Path.of("/sys/class/net", name);
    }

    @Test
    void createsATapThatExistsUntilItsQueueCloses() throws Exception {
        assumeTunAvailable();
        String name = uniqueName();
        TunTap tap = open(name, TunTap.IFF_TAP | TunTap.IFF_NO_PI);
        assertEquals(name, tap.name());
        assertTrue(Files.isDirectory(sysfs(name)), "the kernel lists " + name);
        assertEquals("0x1002", Files.readString(sysfs(name).resolve("tun_flags")).trim(), "IFF_TAP | IFF_NO_PI");
        assertTrue(Fds.isCloseOnExec(tap.fd().intValue()));
        tap.close();
        assertFalse(Files.exists(sysfs(name)), "a non-persistent interface goes with its last queue");
    }

    @Test
    void theKernelFillsInANamePattern() throws Exception {
        assumeTunAvailable();
        TunTap tun = open("sltun%d", TunTap.IFF_TUN | TunTap.IFF_NO_PI);
        assertTrue(tun.name().matches("sltun[0-9]+"), tun.name());
        assertTrue(Files.isDirectory(sysfs(tun.name())));
    }

    @Test
    void opensTwoQueuesOfAMultiQueueTap() throws Exception {
        assumeTunAvailable();
        String name = uniqueName();
        List<TunTap> both = TunTap.openQueues(name, TunTap.IFF_TAP | TunTap.IFF_NO_PI | TunTap.IFF_VNET_HDR, 2);
        queues.addAll(both);
        assertEquals(2, both.size());
        assertEquals(name, both.get(1).name());
        assertTrue(both.get(0).fd().intValue() != both.get(1).fd().intValue());
        assertTrue(Files.isDirectory(sysfs(name).resolve("queues/rx-1")), "two receive queues");
        assertTrue(Files.isDirectory(sysfs(name).resolve("queues/tx-1")), "two transmit queues");
        int flags = Integer.decode(Files.readString(sysfs(name).resolve("tun_flags")).trim());
        assertTrue((flags & TunTap.IFF_MULTI_QUEUE) != 0);
        for (TunTap queue : both) {
            queue.setVnetHeaderSize(12);
            queue.setOffload(TunTap.TUN_F_CSUM | TunTap.TUN_F_TSO4 | TunTap.TUN_F_TSO6);
        }
    }

    @Test
    void aSecondSingleQueueOpenOfTheSameNameFailsWithAHint() throws Exception {
        assumeTunAvailable();
        String name = uniqueName();
        open(name, TunTap.IFF_TAP | TunTap.IFF_NO_PI);
        SyscallException e = assertThrows(SyscallException.class,
                () -> open(name, TunTap.IFF_TAP | TunTap.IFF_NO_PI));
        assertEquals(Errno.EBUSY, e.errno());
        assertTrue(e.getMessage().contains("TUNSETIFF") && e.getMessage().contains(name)
                && e.getMessage().contains("IFF_MULTI_QUEUE"), e.getMessage());
    }

    @Test
    void aNonBlockingQueueWithNothingToReadSaysSo() throws Exception {
        assumeTunAvailable();
        TunTap tap = open(uniqueName(), TunTap.IFF_TAP | TunTap.IFF_NO_PI);
        tap.setNonBlocking(true);
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(Fds.WOULD_BLOCK, tap.read(arena.allocate(2048)), "the interface is down: no frames");
        }
    }

    @Test
    void badNamesAndFlagsAreRejectedBeforeTheKernelSeesThem() {
        IllegalArgumentException longName = assertThrows(IllegalArgumentException.class,
                () -> TunTap.open("sixteen-chars-xx", TunTap.IFF_TAP));
        assertTrue(longName.getMessage().contains("16") && longName.getMessage().contains("15"),
                longName.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TunTap.open("x", TunTap.IFF_TAP | TunTap.IFF_TUN));
        assertThrows(IllegalArgumentException.class, () -> TunTap.open("x", TunTap.IFF_NO_PI));
        assertThrows(IllegalArgumentException.class, () -> TunTap.open("x", TunTap.IFF_TAP | 0x8)); // unknown bit
        assertThrows(IllegalArgumentException.class, () -> TunTap.openQueues("x", TunTap.IFF_TAP, 0));
    }

    @Test
    void ifreqLayoutMatchesTheKernel() {
        assertEquals(40, TunTap.IFREQ.byteSize());
        assertEquals(16, TunTap.IFR_FLAGS_OFFSET);
    }

    /**
     * Writes an ARP request into a TAP that lives in a namespace of its own (so the host's routing is untouched)
     * and reads the kernel's ARP reply back from the same queue.
     */
    @Test
    void theKernelAnswersAnArpRequestWrittenToTheTap() throws Exception {
        TestNamespace.assumeAvailable();
        String name = uniqueName();
        TunTap tap = open(name, TunTap.IFF_TAP | TunTap.IFF_NO_PI);
        namespace = TestNamespace.create("slt");
        HostLink.configure(name, namespace.name(), "198.18.0.1/24", null, 1500);
        tap.setNonBlocking(true);

        byte[] request = HexFormat.of().parseHex(
                "ffffffffffff" + "020000000002" + "0806"             // Ethernet: broadcast, from us, ARP
                + "0001" + "0800" + "06" + "04" + "0001"             // Ethernet/IPv4, request
                + "020000000002" + "c6120002"                        // sender 02:00:00:00:00:02, 198.18.0.2
                + "000000000000" + "c6120001");                      // target ?, 198.18.0.1
        try (Arena arena = Arena.ofConfined(); Epoll epoll = Epoll.create(1)) {
            MemorySegment frame = arena.allocate(request.length);
            MemorySegment.copy(request, 0, frame, JAVA_BYTE, 0, request.length);
            assertEquals(request.length, tap.write(frame));

            epoll.add(tap.fd(), Epoll.EPOLLIN, 1);
            MemorySegment buffer = arena.allocate(2048);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            byte[] reply = null;
            while (reply == null && System.nanoTime() < deadline) {
                epoll.waitFor(100);
                long length;
                while (reply == null && (length = tap.read(buffer)) != Fds.WOULD_BLOCK) {
                    byte[] got = buffer.asSlice(0, length).toArray(JAVA_BYTE);
                    boolean arpReply = length >= 42 && got[12] == 0x08 && got[13] == 0x06 && got[21] == 2;
                    reply = arpReply ? got : null; // else IPv6 router solicitations and the like
                }
            }
            assertTrue(reply != null, "the kernel answered the ARP request within 5 s");
            String hex = HexFormat.of().formatHex(reply);
            assertEquals("020000000002", hex.substring(0, 12), "sent to us");
            assertEquals("c6120001", hex.substring(56, 64), "198.18.0.1 is at the sender hardware address");
            assertEquals("c6120002", hex.substring(76, 84), "the target is the asker");
        }
    }
}
