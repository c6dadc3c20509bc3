package io.sluice.core.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One queue of a TUN or TAP interface (Documentation/networking/tuntap.rst): the descriptor the stack reads frames
 * from and writes frames to. A multi-queue interface has one descriptor per queue, one per worker.
 *
 * <p>An interface created here is not persistent: the kernel removes it when its last queue is closed, so a crashed
 * stack leaves nothing behind. Creating one needs CAP_NET_ADMIN.
 */
public final class TunTap implements AutoCloseable {

    /** A TUN (layer 3) device: frames are IP packets. */
    public static final int IFF_TUN = 0x0001;
    /** A TAP (layer 2) device: frames are Ethernet frames. */
    public static final int IFF_TAP = 0x0002;
    /** One of several queues of the same interface. */
    public static final int IFF_MULTI_QUEUE = 0x0100;
    /** No 4-byte packet-information prefix before each frame. */
    public static final int IFF_NO_PI = 0x1000;
    /** Each frame starts with a struct virtio_net_hdr (checksum and segmentation offload metadata). */
    public static final int IFF_VNET_HDR = 0x4000;

    /** Offloads ({@link #setOffload}); they need {@link #IFF_VNET_HDR}. The stack accepts partial checksums. */
    public static final int TUN_F_CSUM = 0x01;
    /** The stack accepts TCP segmentation offload frames for IPv4. */
    public static final int TUN_F_TSO4 = 0x02;
    /** The stack accepts TCP segmentation offload frames for IPv6. */
    public static final int TUN_F_TSO6 = 0x04;
    /** The stack accepts TSO frames with ECN bits. */
    public static final int TUN_F_TSO_ECN = 0x08;

    /** IFNAMSIZ (16) less the NUL. */
    public static final int MAX_NAME_BYTES = 15;

    /** Where the clone device lives. */
    public static final String CLONE_DEVICE = "/dev/net/tun";

    private static final int KNOWN_FLAGS = IFF_TUN | IFF_TAP | IFF_MULTI_QUEUE | IFF_NO_PI | IFF_VNET_HDR;
    private static final int O_RDWR = 2;

    /*
     * ioctl numbers from include/uapi/linux/if_tun.h, encoded with the generic _IOW(type, nr, size) of
     * asm-generic/ioctl.h that x86_64 and aarch64 share: (1 << 30) | (size << 16) | ('T' << 8) | nr, size 4.
     */
    /** _IOW('T', 202, int): attach to (or create) the interface named in a struct ifreq. */
    static final long TUNSETIFF = 0x400454caL;
    /** _IOW('T', 208, unsigned int): the offloads, passed by value. */
    static final long TUNSETOFFLOAD = 0x400454d0L;
    /** _IOW('T', 216, int): the virtio-net header size, passed by pointer. */
    static final long TUNSETVNETHDRSZ = 0x400454d8L;

    /**
     * {@code struct ifreq} (netdevice(7)), 40 bytes: the name, then a union whose largest member (struct ifmap) is
     * 24 bytes; TUNSETIFF uses only ifr_flags from it.
     * <pre>
     *   0 char ifr_name[16]   16 short ifr_flags   18 rest of the union
     * </pre>
     */
    static final StructLayout IFREQ = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("ifr_name"),
            JAVA_SHORT.withName("ifr_flags"),
            MemoryLayout.paddingLayout(22));
    static final long IFR_NAME_OFFSET = IFREQ.byteOffset(MemoryLayout.PathElement.groupElement("ifr_name"));
    static final long IFR_FLAGS_OFFSET = IFREQ.byteOffset(MemoryLayout.PathElement.groupElement("ifr_flags"));

    /** open is variadic (the mode follows only with O_CREAT), so it is linked as such and given a mode of 0. */
    private static final MethodHandle OPEN = NativeAccess.downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    /** ioctl is variadic too; TUN requests take either a pointer or an unsigned long, hence two handles. */
    private static final MethodHandle IOCTL_POINTER = NativeAccess.downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL_VALUE = NativeAccess.downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(2));

    private final NativeFd fd;
    private final String name;
    private final int flags;

    private TunTap(NativeFd fd, String name, int flags) {
        this.fd = fd;
        this.name = name;
        this.flags = flags;
    }

    /**
     * Creates (or attaches to) an interface and returns its queue.
     *
     * @param name the interface name, at most {@link #MAX_NAME_BYTES} bytes; a pattern such as {@code "sl%d"} or
     *     the empty string lets the kernel number it; {@link #name()} tells the result
     * @param flags exactly one of {@link #IFF_TAP} and {@link #IFF_TUN}, with any of {@link #IFF_NO_PI},
     *     {@link #IFF_VNET_HDR}, {@link #IFF_MULTI_QUEUE}
     */
    public static TunTap open(String name, int flags) throws SyscallException {
        byte[] nameBytes = CStrings.checkedBytes("interface name", name, MAX_NAME_BYTES);
        NativeAccess.checkFlags("TUNSETIFF", flags, KNOWN_FLAGS);
        if (((flags & IFF_TAP) != 0) == ((flags & IFF_TUN) != 0)) {
            throw new IllegalArgumentException("flags 0x" + Integer.toHexString(flags)
                    + " must hold exactly one of IFF_TAP and IFF_TUN");
        }
        NativeFd fd = openCloneDevice();
        try {
            return new TunTap(fd, setInterface(fd, name, nameBytes, flags), flags);
        } catch (SyscallException | RuntimeException e) {
            closeQuietly(fd, e);
            throw e;
        }
    }

    /**
     * Creates a multi-queue interface and opens {@code queues} queues of it (adds {@link #IFF_MULTI_QUEUE}). On
     * failure the queues already open are closed, which removes the interface.
     */
    public static List<TunTap> openQueues(String name, int flags, int queues) throws SyscallException {
        if (queues < 1) {
            throw new IllegalArgumentException("a multi-queue interface needs at least one queue, not " + queues);
        }
        List<TunTap> opened = new ArrayList<>(queues);
        try {
            TunTap first = open(name, flags | IFF_MULTI_QUEUE);
            opened.add(first);
            for (int i = 1; i < queues; i++) {
                opened.add(open(first.name, flags | IFF_MULTI_QUEUE));
            }
            return opened;
        } catch (SyscallException | RuntimeException e) {
            for (TunTap queue : opened) {
                closeQuietly(queue.fd, e);
            }
            throw e;
        }
    }

    private static NativeFd openCloneDevice() throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment path = arena.allocateFrom(CLONE_DEVICE, StandardCharsets.US_ASCII);
            MemorySegment state = NativeAccess.scratch().callState;
            int result;
            try {
                result = (int) OPEN.invokeExact(state, path, O_RDWR | Fds.O_CLOEXEC, 0);
            } catch (Throwable t) {
                throw NativeAccess.rethrow(t);
            }
            if (result < 0) {
                int errno = NativeAccess.errno(state);
                String hint = switch (errno) {
                    case Errno.ENOENT, Errno.ENODEV -> CLONE_DEVICE + " is missing: load the tun module (modprobe tun)"
                            + " or, in a container, pass the device in";
                    case Errno.EACCES, Errno.EPERM -> "this user may not open " + CLONE_DEVICE
                            + ": run as root or grant access to the device";
                    default -> null;
                };
                throw new SyscallException("open", "path=" + CLONE_DEVICE + ", flags=O_RDWR|O_CLOEXEC", errno, hint);
            }
            return NativeFd.adopt(result);
        }
    }

    /** TUNSETIFF: returns the name the kernel gave the interface (it fills in a %d pattern). */
    private static String setInterface(NativeFd fd, String name, byte[] nameBytes, int flags)
            throws SyscallException {
        int rawFd = fd.intValue();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifreq = arena.allocate(IFREQ);
            MemorySegment.copy(nameBytes, 0, ifreq, JAVA_BYTE, IFR_NAME_OFFSET, nameBytes.length);
            ifreq.set(JAVA_SHORT, IFR_FLAGS_OFFSET, (short) flags);
            MemorySegment state = NativeAccess.scratch().callState;
            int result;
            try {
                result = (int) IOCTL_POINTER.invokeExact(state, rawFd, TUNSETIFF, ifreq);
            } catch (Throwable t) {
                throw NativeAccess.rethrow(t);
            }
            if (result < 0) {
                int errno = NativeAccess.errno(state);
                String hint = switch (errno) {
                    case Errno.EPERM -> "creating an interface needs CAP_NET_ADMIN (run as root)";
                    case Errno.EBUSY -> "an interface of that name is already open without IFF_MULTI_QUEUE";
                    case Errno.EINVAL -> "an interface of that name exists with other flags, or the name is invalid";
                    default -> null;
                };
                throw new SyscallException("ioctl", "fd=" + rawFd + ", request=TUNSETIFF, name=" + name + ", flags=0x"
                        + Integer.toHexString(flags), errno, hint);
            }
            return ifreq.getString(IFR_NAME_OFFSET, StandardCharsets.US_ASCII);
        }
    }

    private static void closeQuietly(NativeFd fd, Exception cause) {
        try {
            fd.close();
        } catch (SyscallException e) {
            cause.addSuppressed(e);
        }
    }

    /** Sets the size of the virtio-net header that starts each frame (10 or 12 bytes); needs IFF_VNET_HDR. */
    public void setVnetHeaderSize(int size) throws SyscallException {
        int rawFd = fd.intValue();
        NativeAccess.Scratch scratch = NativeAccess.scratch();
        scratch.word.set(JAVA_INT, 0, size);
        int result;
        try {
            result = (int) IOCTL_POINTER.invokeExact(scratch.callState, rawFd, TUNSETVNETHDRSZ, scratch.word);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
        NativeAccess.check(result, scratch.callState, "ioctl", "fd=" + rawFd + ", request=TUNSETVNETHDRSZ, size="
                + size);
    }

    /** Tells the kernel which offloads (TUN_F_*) the stack handles, so it may send such frames. */
    public void setOffload(int offloads) throws SyscallException {
        int rawFd = fd.intValue();
        MemorySegment state = NativeAccess.scratch().callState;
        int result;
        try {
            result = (int) IOCTL_VALUE.invokeExact(state, rawFd, TUNSETOFFLOAD, (long) offloads);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
        NativeAccess.check(result, state, "ioctl", "fd=" + rawFd + ", request=TUNSETOFFLOAD, offloads=0x"
                + Integer.toHexString(offloads));
    }

    /** Sets or clears O_NONBLOCK on this queue. */
    public void setNonBlocking(boolean nonBlocking) throws SyscallException {
        fd.setNonBlocking(nonBlocking);
    }

    /**
     * Reads one frame (a read never returns part of one, nor more than one).
     *
     * @return the frame's length, or {@link Fds#WOULD_BLOCK} when a non-blocking queue is empty
     */
    public long read(MemorySegment frame) throws SyscallException {
        return fd.read(frame);
    }

    /**
     * Writes one frame, which the kernel receives as if it arrived on the interface.
     *
     * @return the bytes written, or {@link Fds#WOULD_BLOCK}
     */
    public long write(MemorySegment frame) throws SyscallException {
        return fd.write(frame);
    }

    /** The interface's name as the kernel gave it. */
    public String name() {
        return name;
    }

    /** The IFF_* flags this queue was opened with. */
    public int flags() {
        return flags;
    }

    /** This queue's descriptor, e.g. to register with {@link Epoll}. */
    public NativeFd fd() {
        return fd;
    }

    /** Closes this queue; the interface disappears with its last queue. */
    @Override
    public void close() throws SyscallException {
        fd.close();
    }

    @Override
    public String toString() {
        return ((flags & IFF_TAP) != 0 ? "tap " : "tun ") + name + " queue " + fd;
    }
}
