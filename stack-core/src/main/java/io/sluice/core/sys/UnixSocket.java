package io.sluice.core.sys;

import static io.sluice.core.sys.SocketStructs.CMSG_LEN_OFFSET;
import static io.sluice.core.sys.SocketStructs.CMSG_LEVEL_OFFSET;
import static io.sluice.core.sys.SocketStructs.CMSG_TYPE_OFFSET;
import static io.sluice.core.sys.SocketStructs.IOV_BASE_OFFSET;
import static io.sluice.core.sys.SocketStructs.IOV_LEN_OFFSET;
import static io.sluice.core.sys.SocketStructs.MSG_CONTROLLEN_OFFSET;
import static io.sluice.core.sys.SocketStructs.MSG_CONTROL_OFFSET;
import static io.sluice.core.sys.SocketStructs.MSG_FLAGS_OFFSET;
import static io.sluice.core.sys.SocketStructs.MSG_IOVLEN_OFFSET;
import static io.sluice.core.sys.SocketStructs.MSG_IOV_OFFSET;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;

/**
 * A Unix-domain socket (unix(7)): the stack's attach and control sockets, and the channel that carries memfds and
 * eventfds to applications with SCM_RIGHTS.
 *
 * <p>Addresses are filesystem paths, or abstract names written with a leading {@code '@'} (Linux only; the name
 * lives in the network namespace, not the filesystem, and vanishes with the socket).
 *
 * <p>{@link #send} and {@link #receive} are data-path calls and allocate nothing on the Java heap. The calls that
 * set up sockets or carry descriptors are control-path calls and build their structs in a confined arena per call.
 * Every socket is created close-on-exec, and received descriptors too (MSG_CMSG_CLOEXEC), so a child process never
 * inherits a segment by accident.
 */
public final class UnixSocket implements AutoCloseable {

    /** The socket types Sluice uses. */
    public enum Type {
        /** A byte stream: message boundaries are not kept. */
        STREAM(1),
        /** Connection-oriented records: each send is received whole, by one receive (the attach protocol). */
        SEQPACKET(5);

        final int value;

        Type(int value) {
            this.value = value;
        }
    }

    /** The peer of a connected socket, as the kernel recorded it at connect time (SO_PEERCRED). */
    public record PeerCredentials(int pid, int uid, int gid) {
    }

    /**
     * What {@link #receiveWithFds} got.
     *
     * @param bytes bytes received, 0 when the peer closed, or {@link Fds#WOULD_BLOCK}
     * @param fds the descriptors that came with them, now owned by the caller
     */
    public record Received(long bytes, List<NativeFd> fds) {
        static final Received WOULD_BLOCK = new Received(Fds.WOULD_BLOCK, List.of());
    }

    /** The most descriptors one message may carry; the kernel allows 253 (SCM_MAX_FD), the attach protocol less. */
    public static final int MAX_FDS = 16;
    /** The longest path (or abstract name after the '@'): sun_path's 108 bytes less the NUL or leading zero. */
    public static final int MAX_PATH_BYTES = SocketStructs.SUN_PATH_BYTES - 1;

    /** shutdown(2): no more receives. */
    public static final int SHUT_RD = 0;
    /** shutdown(2): no more sends; the peer reads end of stream. */
    public static final int SHUT_WR = 1;
    /** shutdown(2): both. */
    public static final int SHUT_RDWR = 2;

    static final short AF_UNIX = 1;
    /** The kernel defines these as O_NONBLOCK and O_CLOEXEC (include/linux/net.h). */
    static final int SOCK_NONBLOCK = Fds.O_NONBLOCK;
    static final int SOCK_CLOEXEC = Fds.O_CLOEXEC;
    static final int SOL_SOCKET = 1;
    static final int SCM_RIGHTS = 1;
    /** SO_PEERCRED is 17 on x86_64 and aarch64 (asm-generic/socket.h); PowerPC differs and is not supported. */
    static final int SO_PEERCRED = 17;
    /** Report a closed peer as EPIPE instead of raising SIGPIPE. */
    static final int MSG_NOSIGNAL = 0x4000;
    static final int MSG_CTRUNC = 0x8;
    static final int MSG_TRUNC = 0x20;
    static final int MSG_CMSG_CLOEXEC = 0x40000000;

    private static final MethodHandle SOCKET = NativeAccess.downcall("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SOCKETPAIR = NativeAccess.downcall("socketpair",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle BIND = NativeAccess.downcall("bind",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CONNECT = NativeAccess.downcall("connect",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = NativeAccess.downcall("listen",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle ACCEPT4 = NativeAccess.downcall("accept4",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle SHUTDOWN = NativeAccess.downcall("shutdown",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = NativeAccess.downcall("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    /** sendmsg(fd, msghdr, flags), its int flags taken as a long so that {@link Fds#transfer} can drive it. */
    private static final MethodHandle SENDMSG = longFlags(NativeAccess.downcall("sendmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT)));
    /** recvmsg(fd, msghdr, flags), shaped like sendmsg above. */
    private static final MethodHandle RECVMSG = longFlags(NativeAccess.downcall("recvmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT)));
    /** send(fd, buf, len, MSG_NOSIGNAL), shaped like write(2) so {@link Fds#transfer} can drive it. */
    private static final MethodHandle SEND = MethodHandles.insertArguments(NativeAccess.downcall("send",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT)), 4, MSG_NOSIGNAL);
    /** recv(fd, buf, len, 0), shaped like read(2). */
    private static final MethodHandle RECV = MethodHandles.insertArguments(NativeAccess.downcall("recv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT)), 4, 0);

    private final NativeFd fd;
    private final Type type;

    private UnixSocket(NativeFd fd, Type type) {
        this.fd = fd;
        this.type = type;
    }

    /** Creates an unconnected socket (close on exec). */
    public static UnixSocket open(Type type, boolean nonBlocking) throws SyscallException {
        int flags = SOCK_CLOEXEC | (nonBlocking ? SOCK_NONBLOCK : 0);
        MemorySegment state = NativeAccess.scratch().callState;
        int result;
        try {
            result = (int) SOCKET.invokeExact(state, (int) AF_UNIX, type.value | flags, 0);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
        NativeAccess.check(result, state, "socket", "domain=AF_UNIX, type=" + type + ", nonBlocking=" + nonBlocking);
        return new UnixSocket(NativeFd.adopt(result), type);
    }

    /** Creates a connected pair of sockets (socketpair(2), close on exec, blocking). */
    public static UnixSocket[] pair(Type type) throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            MemorySegment state = NativeAccess.scratch().callState;
            int result;
            try {
                result = (int) SOCKETPAIR.invokeExact(state, (int) AF_UNIX, type.value | SOCK_CLOEXEC, 0, fds);
            } catch (Throwable t) {
                throw NativeAccess.rethrow(t);
            }
            NativeAccess.check(result, state, "socketpair", "domain=AF_UNIX, type=" + type);
            return new UnixSocket[] {
                new UnixSocket(NativeFd.adopt(fds.getAtIndex(JAVA_INT, 0)), type),
                new UnixSocket(NativeFd.adopt(fds.getAtIndex(JAVA_INT, 1)), type),
            };
        }
    }

    /** Binds to a filesystem path (which must not exist yet) or to an abstract name written {@code "@name"}. */
    public void bind(String path) throws SyscallException {
        address(BIND, "bind", path);
    }

    /** Connects to a listening socket at a path or abstract name; blocks until accepted into the backlog. */
    public void connect(String path) throws SyscallException {
        address(CONNECT, "connect", path);
    }

    /** bind(2) and connect(2) take the same arguments: a sockaddr_un and its length. */
    private void address(MethodHandle call, String name, String path) throws SyscallException {
        int rawFd = fd.intValue();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sockaddr = arena.allocate(SocketStructs.SOCKADDR_UN);
            int length = sockaddrUn(sockaddr, path);
            MemorySegment state = NativeAccess.scratch().callState;
            int result;
            try {
                result = (int) call.invokeExact(state, rawFd, sockaddr, length);
            } catch (Throwable t) {
                throw NativeAccess.rethrow(t);
            }
            NativeAccess.check(result, state, name, "fd=" + rawFd + ", path=" + path);
        }
    }

    /**
     * Fills a zeroed sockaddr_un and returns the address length to pass with it: the family plus the path and its
     * NUL, or for an abstract name the family, the leading zero and the name (no terminator: the length ends it).
     */
    static int sockaddrUn(MemorySegment sockaddr, String path) {
        boolean abstractName = path != null && path.startsWith("@");
        byte[] bytes = CStrings.checkedBytes(abstractName ? "abstract socket name" : "socket path",
                abstractName ? path.substring(1) : path, MAX_PATH_BYTES);
        if (!abstractName && bytes.length == 0) {
            throw new IllegalArgumentException("socket path is empty");
        }
        sockaddr.set(JAVA_SHORT, SocketStructs.SUN_FAMILY_OFFSET, AF_UNIX);
        long nameOffset = SocketStructs.SUN_PATH_OFFSET + (abstractName ? 1 : 0);
        MemorySegment.copy(bytes, 0, sockaddr, JAVA_BYTE, nameOffset, bytes.length);
        return (int) (nameOffset + bytes.length + (abstractName ? 0 : 1));
    }

    /** Marks a bound socket as listening. */
    public void listen(int backlog) throws SyscallException {
        if (backlog < 1) {
            throw new IllegalArgumentException("listen backlog must be positive: " + backlog);
        }
        int rawFd = fd.intValue();
        MemorySegment state = NativeAccess.scratch().callState;
        int result;
        try {
            result = (int) LISTEN.invokeExact(state, rawFd, backlog);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
        NativeAccess.check(result, state, "listen", "fd=" + rawFd + ", backlog=" + backlog);
    }

    /**
     * Accepts a connection (the new socket is blocking and close on exec).
     *
     * @return the connected socket, or null when this socket is non-blocking and no connection is pending
     */
    public UnixSocket accept() throws SyscallException {
        int rawFd = fd.intValue();
        MemorySegment state = NativeAccess.scratch().callState;
        while (true) {
            int result;
            try {
                result = (int) ACCEPT4.invokeExact(state, rawFd, MemorySegment.NULL, MemorySegment.NULL,
                        SOCK_CLOEXEC);
            } catch (Throwable t) {
                throw NativeAccess.rethrow(t);
            }
            if (result >= 0) {
                return new UnixSocket(NativeFd.adopt(result), type);
            }
            int errno = NativeAccess.errno(state);
            if (errno == Errno.EAGAIN) {
                return null;
            }
            if (errno != Errno.EINTR) {
                throw new SyscallException("accept4", "fd=" + rawFd, errno);
            }
        }
    }

    /**
     * Sends bytes from a native segment; a closed peer is an EPIPE exception, never SIGPIPE.
     *
     * @return bytes sent (a stream may take fewer than offered), or {@link Fds#WOULD_BLOCK}
     */
    public long send(MemorySegment data) throws SyscallException {
        return Fds.transfer(SEND, "send", fd.intValue(), data, data.byteSize(), "count");
    }

    /**
     * Receives bytes into a native segment.
     *
     * @return bytes received, 0 when the peer has closed (or shut down its sending side), or {@link Fds#WOULD_BLOCK}
     */
    public long receive(MemorySegment buffer) throws SyscallException {
        return Fds.transfer(RECV, "recv", fd.intValue(), buffer, buffer.byteSize(), "count");
    }

    /**
     * Sends bytes with descriptors attached (sendmsg(2) with one SCM_RIGHTS message). The receiver gets its own
     * descriptors for the same open files; the caller keeps and still owns these.
     *
     * @param data at least one byte: descriptors travel with data, and a stream socket sends none without it
     * @param fds 1 to {@link #MAX_FDS} open descriptors
     * @return bytes sent, or {@link Fds#WOULD_BLOCK}; on a stream the descriptors went with the first byte even if
     *     fewer bytes than offered were sent
     */
    public long sendWithFds(MemorySegment data, List<NativeFd> fds) throws SyscallException {
        if (fds == null || fds.isEmpty() || fds.size() > MAX_FDS) {
            throw new IllegalArgumentException("a message carries 1 to " + MAX_FDS + " descriptors, not "
                    + (fds == null ? "null" : fds.size()));
        }
        if (data.byteSize() == 0) {
            throw new IllegalArgumentException("descriptors must travel with at least one byte of data");
        }
        int rawFd = fd.intValue();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment control = control(arena, fds.size());
            MemorySegment msghdr = message(arena, data, control);
            control.set(JAVA_LONG, CMSG_LEN_OFFSET, SocketStructs.cmsgLen((long) Integer.BYTES * fds.size()));
            control.set(JAVA_INT, CMSG_LEVEL_OFFSET, SOL_SOCKET);
            control.set(JAVA_INT, CMSG_TYPE_OFFSET, SCM_RIGHTS);
            long dataOffset = SocketStructs.cmsgAlign(SocketStructs.CMSGHDR.byteSize());
            for (int i = 0; i < fds.size(); i++) {
                control.set(JAVA_INT, dataOffset + (long) Integer.BYTES * i, fds.get(i).intValue());
            }
            return Fds.transfer(SENDMSG, "sendmsg", rawFd, msghdr, MSG_NOSIGNAL, "flags");
        }
    }

    /**
     * Receives bytes and any descriptors sent with them (recvmsg(2)); received descriptors are close on exec.
     *
     * @param maxFds how many descriptors this receiver accepts in one message, 1 to {@link #MAX_FDS}
     * @return bytes and descriptors, or {@link Received#bytes()} == {@link Fds#WOULD_BLOCK} when a non-blocking
     *     socket has nothing
     * @throws IOException when the sender attached more than {@code maxFds} descriptors (MSG_CTRUNC) or, on a
     *     SEQPACKET socket, sent a record larger than {@code buffer} (MSG_TRUNC); the message is lost and any
     *     descriptors that did arrive are closed
     */
    public Received receiveWithFds(MemorySegment buffer, int maxFds) throws IOException {
        if (maxFds < 1 || maxFds > MAX_FDS) {
            throw new IllegalArgumentException("maxFds must be 1 to " + MAX_FDS + ", not " + maxFds);
        }
        int rawFd = fd.intValue();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment control = control(arena, maxFds);
            MemorySegment msghdr = message(arena, buffer, control);
            long bytes = Fds.transfer(RECVMSG, "recvmsg", rawFd, msghdr, MSG_CMSG_CLOEXEC, "flags");
            if (bytes == Fds.WOULD_BLOCK) {
                return Received.WOULD_BLOCK;
            }
            List<NativeFd> received = receivedFds(control, msghdr.get(JAVA_LONG, MSG_CONTROLLEN_OFFSET));
            int flags = msghdr.get(JAVA_INT, MSG_FLAGS_OFFSET);
            if ((flags & (MSG_CTRUNC | MSG_TRUNC)) != 0) {
                String what = (flags & MSG_CTRUNC) != 0
                        ? "the sender attached more than the " + maxFds
                                + " descriptors this receiver accepts (MSG_CTRUNC)"
                        : "the record was larger than the " + buffer.byteSize() + "-byte buffer (MSG_TRUNC)";
                closeAll(received);
                throw new IOException("recvmsg(fd=" + rawFd + ", maxFds=" + maxFds + ") truncated a message: " + what
                        + "; the message is lost and the " + received.size() + " descriptors that came were closed");
            }
            return new Received(bytes, received);
        }
    }

    /** A zeroed control buffer with room for one SCM_RIGHTS message of {@code fds} descriptors (CMSG_SPACE). */
    private static MemorySegment control(Arena arena, int fds) {
        return arena.allocate(SocketStructs.cmsgSpace((long) Integer.BYTES * fds), Long.BYTES);
    }

    /** A msghdr with no address, one iovec over {@code data}, and the given control buffer. */
    private static MemorySegment message(Arena arena, MemorySegment data, MemorySegment control) {
        MemorySegment iovec = arena.allocate(SocketStructs.IOVEC);
        iovec.set(ADDRESS, IOV_BASE_OFFSET, data);
        iovec.set(JAVA_LONG, IOV_LEN_OFFSET, data.byteSize());
        MemorySegment msghdr = arena.allocate(SocketStructs.MSGHDR);
        msghdr.set(ADDRESS, MSG_IOV_OFFSET, iovec);
        msghdr.set(JAVA_LONG, MSG_IOVLEN_OFFSET, 1);
        msghdr.set(ADDRESS, MSG_CONTROL_OFFSET, control);
        msghdr.set(JAVA_LONG, MSG_CONTROLLEN_OFFSET, control.byteSize());
        return msghdr;
    }

    /** Widens a handle's last parameter (int flags) to long; the flags always fit, so narrowing back is exact. */
    private static MethodHandle longFlags(MethodHandle handle) {
        MethodType type = handle.type();
        return MethodHandles.explicitCastArguments(handle, type.changeParameterType(type.parameterCount() - 1,
                long.class));
    }

    /**
     * Walks the control messages recvmsg returned (CMSG_FIRSTHDR / CMSG_NXTHDR) and takes ownership of every
     * descriptor in SCM_RIGHTS messages. {@code length} is the msg_controllen the kernel set: the bytes it wrote.
     */
    private static List<NativeFd> receivedFds(MemorySegment control, long length) {
        long header = SocketStructs.cmsgAlign(SocketStructs.CMSGHDR.byteSize());
        List<NativeFd> fds = new ArrayList<>();
        long offset = 0;
        while (offset + header <= length) {
            long cmsgLen = control.get(JAVA_LONG, offset + CMSG_LEN_OFFSET);
            if (cmsgLen < header || offset + cmsgLen > length) {
                break;
            }
            if (control.get(JAVA_INT, offset + CMSG_LEVEL_OFFSET) == SOL_SOCKET
                    && control.get(JAVA_INT, offset + CMSG_TYPE_OFFSET) == SCM_RIGHTS) {
                for (long at = offset + header; at + Integer.BYTES <= offset + cmsgLen; at += Integer.BYTES) {
                    fds.add(NativeFd.adopt(control.get(JAVA_INT, at)));
                }
            }
            offset += SocketStructs.cmsgAlign(cmsgLen);
        }
        return fds;
    }

    /** Closes descriptors the caller will never see; a failure to close one must not hide the real error. */
    private static void closeAll(List<NativeFd> fds) {
        for (NativeFd received : fds) {
            try {
                received.close();
            } catch (SyscallException ignored) {
                // The descriptor number is released by close(2) even when it reports an error.
            }
        }
    }

    /** The pid, uid and gid of the process that connected (or created the pair), from SO_PEERCRED. */
    public PeerCredentials peerCredentials() throws SyscallException {
        int rawFd = fd.intValue();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ucred = arena.allocate(SocketStructs.UCRED);
            MemorySegment length = arena.allocateFrom(JAVA_INT, (int) SocketStructs.UCRED.byteSize());
            MemorySegment state = NativeAccess.scratch().callState;
            int result;
            try {
                result = (int) GETSOCKOPT.invokeExact(state, rawFd, SOL_SOCKET, SO_PEERCRED, ucred, length);
            } catch (Throwable t) {
                throw NativeAccess.rethrow(t);
            }
            NativeAccess.check(result, state, "getsockopt", "fd=" + rawFd + ", level=SOL_SOCKET, optname=SO_PEERCRED");
            return new PeerCredentials(ucred.get(JAVA_INT, SocketStructs.UCRED_PID_OFFSET),
                    ucred.get(JAVA_INT, SocketStructs.UCRED_UID_OFFSET),
                    ucred.get(JAVA_INT, SocketStructs.UCRED_GID_OFFSET));
        }
    }

    /** Shuts down one or both directions: {@link #SHUT_RD}, {@link #SHUT_WR} or {@link #SHUT_RDWR}. */
    public void shutdown(int how) throws SyscallException {
        if (how < SHUT_RD || how > SHUT_RDWR) {
            throw new IllegalArgumentException("shutdown 'how' must be SHUT_RD (0), SHUT_WR (1) or SHUT_RDWR (2), not "
                    + how);
        }
        int rawFd = fd.intValue();
        MemorySegment state = NativeAccess.scratch().callState;
        int result;
        try {
            result = (int) SHUTDOWN.invokeExact(state, rawFd, how);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
        NativeAccess.check(result, state, "shutdown", "fd=" + rawFd + ", how=" + how);
    }

    /** The socket's descriptor, e.g. to register with {@link Epoll}. */
    public NativeFd fd() {
        return fd;
    }

    /** STREAM or SEQPACKET. */
    public Type type() {
        return type;
    }

    @Override
    public void close() throws SyscallException {
        fd.close();
    }

    @Override
    public String toString() {
        return "unix " + type + " socket " + fd;
    }
}
