package io.sluice.core.phy;

import static io.sluice.core.buffer.BufferPool.NO_BUFFER;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.buffer.BufferLayout;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.sys.Fds;
import io.sluice.core.sys.NativeFd;
import io.sluice.core.sys.RawIo;
import io.sluice.core.sys.SyscallException;
import io.sluice.core.sys.TunTap;
import io.sluice.core.wire.Checksum;
import io.sluice.core.wire.Ethernet;
import io.sluice.core.wire.Ipv4;
import io.sluice.core.wire.MacAddress;
import io.sluice.core.wire.Tcp;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.List;

/**
 * A multi-queue Linux TAP interface as a {@link Device}: queue {@code q} is one descriptor of the interface, both
 * receive queue {@code q} and transmit queue {@code q}, non-blocking, meant for one worker each.
 *
 * <p>Every frame crosses the descriptor behind a {@code struct virtio_net_hdr} of {@link #VNET_HEADER_LENGTH} (10)
 * bytes (IFF_VNET_HDR; the 12-byte variant only adds {@code num_buffers}, which is for mergeable receive buffers
 * and means nothing to a TAP):
 * <pre>
 *   0 u8 flags   1 u8 gso_type   2 u16 hdr_len   4 u16 gso_size   6 u16 csum_start   8 u16 csum_offset
 * </pre>
 * (little-endian on the hosts Sluice runs on). Checksum offload is on (TUNSETOFFLOAD TUN_F_CSUM; no segmentation
 * offload, so the kernel sends frames no larger than the MTU, and a frame with a {@code gso_type} other than none
 * is malformed and dropped). The kernel may then hand over a partial checksum ({@code VIRTIO_NET_HDR_F_NEEDS_CSUM}:
 * the field at {@code csum_start + csum_offset} holds the pseudo-header sum), as it does for its own packets: for
 * a TCP segment the frame is marked {@code FLAG_L4_CHECKSUM_VERIFIED} and left as it is (the kernel built it and
 * nothing crossed a wire), for anything else the checksum is completed here ({@link #FLAG_CHECKSUM_FIXED}), so
 * ICMP and UDP always see complete ones; {@code VIRTIO_NET_HDR_F_DATA_VALID} also marks a frame verified. A TCP
 * segment the stack sends with a partial checksum ({@code FLAG_L4_CHECKSUM_PARTIAL}) goes out with NEEDS_CSUM and
 * its offsets, and the kernel takes it as its own NICs' offload would; other frames carry a zeroed header.
 *
 * <p>A frame is read straight into one pool buffer: the header lands in the headroom, the frame at the buffer's
 * data start, so nothing is copied. A frame larger than one buffer's data area is dropped and counted (with the
 * default 2048-byte data area, an MTU up to 2048 - 18 fits, a VLAN tag included); reading into chains is left for
 * when offloads are enabled. A frame to transmit gets its header prepended in its buffer's headroom and goes out
 * in one write(2); a chained frame is first copied behind a header in a per-queue staging area. The reads and
 * writes take native addresses ({@link RawIo}), because a segment slice per frame would allocate.
 *
 * <p>Nothing on the data path throws: EAGAIN on transmit (the kernel's queue is full) is a counted transmit drop;
 * any other failed read or write is a counted drop whose exception is kept for {@link #lastError()}.
 *
 * <p>The MAC address is the device's own value (the kernel side of the interface has its own); by default a random
 * locally administered unicast one. The MTU is what the device reports; the kernel side's MTU is set with
 * {@code ip link}.
 */
public final class TapDevice extends AbstractDevice {

    /** The size of the virtio-net header in front of each frame (struct virtio_net_hdr without num_buffers). */
    public static final int VNET_HEADER_LENGTH = 10;

    /** Buffer flag: the kernel handed over a partial checksum, which this device completed in software. */
    public static final int FLAG_CHECKSUM_FIXED = BufferLayout.FLAG_FIRST_USER_BIT;

    /** virtio_net_hdr.flags: the checksum from csum_start is partial. */
    static final int VIRTIO_NET_HDR_F_NEEDS_CSUM = 1;
    /** virtio_net_hdr.flags: the checksum was verified. */
    static final int VIRTIO_NET_HDR_F_DATA_VALID = 2;
    /** virtio_net_hdr.gso_type: not a segmentation offload frame. */
    static final int VIRTIO_NET_HDR_GSO_NONE = 0;

    /** The default MTU. */
    public static final int DEFAULT_MTU = 1500;

    private static final ValueLayout.OfShort U16_LE = ValueLayout.JAVA_SHORT_UNALIGNED
            .withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16_BE = ValueLayout.JAVA_SHORT_UNALIGNED
            .withOrder(ByteOrder.BIG_ENDIAN);
    private static final int FLAGS = 0;
    private static final int GSO_TYPE = 1;
    private static final int CSUM_START = 6;
    private static final int CSUM_OFFSET = 8;
    /** The largest frame without segmentation offload: an IP packet of 65535 bytes behind a VLAN-tagged header. */
    static final int MAX_FRAME = 65535 + Ethernet.VLAN_HEADER_LENGTH;

    private final TunTap[] queues;
    private final NativeFd[] fds;
    private final Arena arena;
    private final int[] rawFds;
    private final MemorySegment[] transmitStaging;
    private final long[] malformed;
    private final long[] errors;
    private volatile SyscallException lastError;
    private boolean closed;

    private TapDevice(String name, long mac, int mtu, List<TunTap> opened) {
        super(name, mac, mtu, opened.size(), opened.size());
        this.queues = opened.toArray(new TunTap[0]);
        this.fds = new NativeFd[queues.length];
        this.arena = Arena.ofShared();
        this.rawFds = new int[queues.length];
        this.transmitStaging = new MemorySegment[queues.length];
        for (int q = 0; q < queues.length; q++) {
            fds[q] = queues[q].fd();
            rawFds[q] = fds[q].intValue();
            transmitStaging[q] = arena.allocate(VNET_HEADER_LENGTH + MAX_FRAME, 64);
        }
        this.malformed = new long[queues.length];
        this.errors = new long[queues.length];
    }

    /** Opens {@code queueCount} queues of a new TAP with the default MTU and a random local MAC address. */
    public static TapDevice open(String name, int queueCount) throws SyscallException {
        return open(name, queueCount, DEFAULT_MTU, randomLocalMac());
    }

    /**
     * Creates the TAP interface {@code name} (a pattern like {@code "sl%d"} lets the kernel number it) and opens
     * {@code queueCount} non-blocking queues of it with the virtio-net header and no offloads. The interface goes
     * away when the device is closed.
     *
     * @param mtu the largest IP packet carried, 68 to 65535
     * @param mac this device's MAC address (48 bits, unicast)
     */
    public static TapDevice open(String name, int queueCount, int mtu, long mac) throws SyscallException {
        checkMtu(mtu);
        checkMac(mac);
        List<TunTap> opened = TunTap.openQueues(name,
                TunTap.IFF_TAP | TunTap.IFF_NO_PI | TunTap.IFF_VNET_HDR, queueCount);
        try {
            for (TunTap queue : opened) {
                queue.setVnetHeaderSize(VNET_HEADER_LENGTH);
                queue.setOffload(TunTap.TUN_F_CSUM);
                queue.setNonBlocking(true);
            }
        } catch (SyscallException | RuntimeException e) {
            for (TunTap queue : opened) {
                try {
                    queue.close();
                } catch (SyscallException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        return new TapDevice(opened.get(0).name(), mac, mtu, opened);
    }

    /** A random locally administered unicast address, 02:xx:xx:xx:xx:xx. */
    public static long randomLocalMac() {
        long random = new SecureRandom().nextLong() & 0xff_ffff_ffffL;
        return MacAddress.LOCAL_BIT | random;
    }

    @Override
    public int receive(int queue, long now, BufferCache cache, int[] destination, int offset, int max) {
        if (closed) {
            return 0;
        }
        int fd = rawFds[queue];
        BufferPool pool = cache.pool();
        if (pool.headroom() < VNET_HEADER_LENGTH) {
            throw new IllegalArgumentException("a TAP needs " + VNET_HEADER_LENGTH + " bytes of buffer headroom for"
                    + " the virtio-net header; the pool has " + pool.headroom());
        }
        MemorySegment mem = pool.memory();
        int room = pool.dataSize();
        int received = 0;
        while (received < max) {
            int buffer = cache.allocate();
            if (buffer == NO_BUFFER) {
                break; // the frames wait in the kernel's queue (which drops, counted there, when it overflows)
            }
            long n;
            try {
                n = RawIo.read(fd, pool.dataAddress(buffer) - VNET_HEADER_LENGTH, VNET_HEADER_LENGTH + room);
            } catch (SyscallException e) {
                cache.free(buffer);
                errors[queue]++;
                counters.receiveDropped(queue);
                lastError = e;
                break;
            }
            if (n == Fds.WOULD_BLOCK) {
                cache.free(buffer);
                break;
            }
            long frame = pool.dataOffset(buffer);
            int length = (int) n - VNET_HEADER_LENGTH; // the kernel reports a truncated frame's full length
            int flags = checkHeader(mem, frame - VNET_HEADER_LENGTH, frame, length, room);
            if (flags < 0) {
                cache.free(buffer);
                malformed[queue]++;
                counters.receiveDropped(queue);
                continue;
            }
            pool.setCurrentLength(buffer, length);
            if (flags != 0) {
                pool.setFlags(buffer, pool.flags(buffer) | flags);
            }
            counters.received(queue, length);
            destination[offset + received++] = buffer;
        }
        return received;
    }

    /**
     * Checks the virtio-net header at {@code header} of a frame of {@code length} bytes at {@code frame}, and
     * completes a partial checksum; returns the buffer flags to set, or -1 if the frame must be dropped.
     */
    static int checkHeader(MemorySegment mem, long header, long frame, int length, int room) {
        if (length < Ethernet.HEADER_LENGTH || length > room) {
            return -1; // runt, or (with a data area smaller than the frame) a truncated one
        }
        if ((mem.get(ValueLayout.JAVA_BYTE, header + GSO_TYPE) & 0xff) != VIRTIO_NET_HDR_GSO_NONE) {
            return -1; // no offload was enabled: the kernel should never segment-offload to us
        }
        int headerFlags = mem.get(ValueLayout.JAVA_BYTE, header + FLAGS);
        if ((headerFlags & VIRTIO_NET_HDR_F_NEEDS_CSUM) == 0) {
            return (headerFlags & VIRTIO_NET_HDR_F_DATA_VALID) != 0 ? BufferLayout.FLAG_L4_CHECKSUM_VERIFIED : 0;
        }
        int start = mem.get(U16_LE, header + CSUM_START) & 0xffff;
        int field = start + (mem.get(U16_LE, header + CSUM_OFFSET) & 0xffff);
        if (field + 2 > length) {
            return -1;
        }
        if (isTcpChecksum(mem, frame, start, field, length)) {
            return BufferLayout.FLAG_L4_CHECKSUM_VERIFIED; // tcp4-input skips the check; the field stays partial
        }
        // The field holds the pseudo-header sum: summing from csum_start over it completes the checksum.
        int checksum = Checksum.compute(mem, frame + start, length - start);
        mem.set(U16_BE, frame + field, (short) checksum);
        return FLAG_CHECKSUM_FIXED;
    }

    /** Whether the partial checksum at {@code field} is an IPv4 TCP segment's, starting at its TCP header. */
    private static boolean isTcpChecksum(MemorySegment mem, long frame, int start, int field, int length) {
        if (length < Ethernet.HEADER_LENGTH + Ipv4.MIN_HEADER_LENGTH
                || Ethernet.etherType(mem, frame) != Ethernet.TYPE_IPV4) {
            return false;
        }
        return Ipv4.protocol(mem, frame + Ethernet.HEADER_LENGTH) == Ipv4.PROTOCOL_TCP
                && start == Tcp.offsetInFrame(mem, frame) && field == start + Tcp.CHECKSUM;
    }

    /** Checksum offload: TCP segments may go out with a partial checksum, completed by the kernel as needed. */
    @Override
    public boolean checksumOffload() {
        return true;
    }

    @Override
    public int transmit(int queue, long now, BufferCache cache, int[] buffers, int offset, int count) {
        BufferPool pool = cache.pool();
        int sent = 0;
        for (int i = 0; i < count; i++) {
            int buffer = buffers[offset + i];
            int length = closed ? -1 : send(queue, pool, buffer);
            if (length >= 0) {
                counters.transmitted(queue, length);
                sent++;
            } else {
                counters.transmitDropped(queue);
            }
            cache.freeChain(buffer);
        }
        return sent;
    }

    /**
     * Writes one frame behind a zeroed virtio-net header, prepended in the buffer's headroom, or, for a chain (or
     * a buffer without the headroom), in front of a copy in the queue's staging area; returns the frame's length,
     * or -1 if it was not sent.
     */
    private int send(int queue, BufferPool pool, int buffer) {
        long address;
        int length;
        if (pool.nextBuffer(buffer) == NO_BUFFER && pool.prependSpace(buffer) >= VNET_HEADER_LENGTH) {
            length = pool.currentLength(buffer);
            pool.advance(buffer, -VNET_HEADER_LENGTH);
            writeHeader(pool.memory(), pool.dataOffset(buffer), pool, buffer);
            address = pool.dataAddress(buffer);
        } else {
            MemorySegment stage = transmitStaging[queue];
            length = pool.chainLength(buffer);
            if (length > MAX_FRAME) {
                malformed[queue]++;
                return -1; // longer than any Ethernet frame without segmentation offload
            }
            pool.copyOut(buffer, stage, VNET_HEADER_LENGTH);
            writeHeader(stage, 0, pool, buffer);
            address = stage.address();
        }
        long n;
        try {
            n = RawIo.write(rawFds[queue], address, VNET_HEADER_LENGTH + length);
        } catch (SyscallException e) {
            errors[queue]++;
            lastError = e;
            return -1;
        }
        return n == VNET_HEADER_LENGTH + length ? length : -1; // WOULD_BLOCK: the kernel's queue is full
    }

    /**
     * Writes the virtio-net header at {@code at}, in front of the frame: zero, or, for a TCP segment with a partial
     * checksum, NEEDS_CSUM and where the checksum starts and lies.
     */
    private static void writeHeader(MemorySegment mem, long at, BufferPool pool, int buffer) {
        zeroHeader(mem, at);
        if ((pool.flags(buffer) & BufferLayout.FLAG_L4_CHECKSUM_PARTIAL) != 0) {
            int start = Tcp.offsetInFrame(mem, at + VNET_HEADER_LENGTH);
            mem.set(ValueLayout.JAVA_BYTE, at + FLAGS, (byte) VIRTIO_NET_HDR_F_NEEDS_CSUM);
            mem.set(U16_LE, at + CSUM_START, (short) start);
            mem.set(U16_LE, at + CSUM_OFFSET, (short) Tcp.CHECKSUM);
        }
    }

    private static void zeroHeader(MemorySegment mem, long at) {
        mem.set(ValueLayout.JAVA_LONG_UNALIGNED, at, 0L);
        mem.set(ValueLayout.JAVA_SHORT_UNALIGNED, at + 8, (short) 0);
    }

    @Override
    public NativeFd receiveReadiness(int queue) {
        return fds[queue];
    }

    /** Frames dropped for a bad virtio-net header, a runt or oversize frame, or an oversize chain to send. */
    public long malformedFrames() {
        long total = 0;
        for (long v : malformed) {
            total += v;
        }
        return total;
    }

    /** Reads and writes that failed with an error other than EAGAIN (each also counted as a drop). */
    public long errors() {
        long total = 0;
        for (long v : errors) {
            total += v;
        }
        return total;
    }

    /** The last read or write failure other than EAGAIN, for {@code show hardware}; null if none. */
    public SyscallException lastError() {
        return lastError;
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes every queue, which removes the interface, and frees the staging areas. The device holds no buffers
     * between calls (each received frame is handed over, each transmitted one freed), so none need returning.
     * Call it once the workers have stopped using the device.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        SyscallException failure = null;
        for (TunTap queue : queues) {
            try {
                queue.close();
            } catch (SyscallException e) {
                failure = e;
            }
        }
        arena.close();
        if (failure != null) {
            lastError = failure;
        }
    }

    @Override
    public String toString() {
        return "tap " + name() + " (" + queues.length + " queues, mtu " + mtu() + ", "
                + MacAddress.format(macAddress()) + ")";
    }
}
