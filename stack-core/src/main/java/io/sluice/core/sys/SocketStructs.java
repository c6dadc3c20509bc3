package io.sluice.core.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * The socket structs {@link UnixSocket} passes to the kernel, as glibc declares them on LP64 Linux (identical on
 * x86_64 and aarch64; pointers, size_t and socklen_t padding all fall the same way).
 */
final class SocketStructs {

    /**
     * {@code struct sockaddr_un} (unix(7)), 110 bytes.
     * <pre>
     *   0 sa_family_t sun_family (AF_UNIX)   2 char sun_path[108]
     * </pre>
     * A filesystem path is NUL-terminated inside sun_path; an abstract name starts with a NUL byte and its length is
     * given only by the address length passed with it, so it has no terminator.
     */
    static final StructLayout SOCKADDR_UN = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sun_family"),
            MemoryLayout.sequenceLayout(108, JAVA_BYTE).withName("sun_path"));
    static final long SUN_FAMILY_OFFSET = offset(SOCKADDR_UN, "sun_family");
    static final long SUN_PATH_OFFSET = offset(SOCKADDR_UN, "sun_path");
    static final int SUN_PATH_BYTES = 108;

    /**
     * {@code struct iovec} (readv(2)), 16 bytes.
     * <pre>
     *   0 void *iov_base   8 size_t iov_len
     * </pre>
     */
    static final StructLayout IOVEC = MemoryLayout.structLayout(
            ADDRESS.withName("iov_base"),
            JAVA_LONG.withName("iov_len"));
    static final long IOV_BASE_OFFSET = offset(IOVEC, "iov_base");
    static final long IOV_LEN_OFFSET = offset(IOVEC, "iov_len");

    /**
     * {@code struct msghdr} (recvmsg(2)), 56 bytes. socklen_t msg_namelen is followed by four bytes of padding so
     * that the iovec pointer is 8-aligned; msg_iovlen and msg_controllen are size_t in glibc (POSIX says int).
     * <pre>
     *   0 void *msg_name   8 socklen_t msg_namelen  12 pad  16 struct iovec *msg_iov  24 size_t msg_iovlen
     *  32 void *msg_control  40 size_t msg_controllen  48 int msg_flags  52 pad
     * </pre>
     */
    static final StructLayout MSGHDR = MemoryLayout.structLayout(
            ADDRESS.withName("msg_name"),
            JAVA_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("msg_iov"),
            JAVA_LONG.withName("msg_iovlen"),
            ADDRESS.withName("msg_control"),
            JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"),
            MemoryLayout.paddingLayout(4));
    static final long MSG_IOV_OFFSET = offset(MSGHDR, "msg_iov");
    static final long MSG_IOVLEN_OFFSET = offset(MSGHDR, "msg_iovlen");
    static final long MSG_CONTROL_OFFSET = offset(MSGHDR, "msg_control");
    static final long MSG_CONTROLLEN_OFFSET = offset(MSGHDR, "msg_controllen");
    static final long MSG_FLAGS_OFFSET = offset(MSGHDR, "msg_flags");

    /**
     * {@code struct cmsghdr} (cmsg(3)), 16 bytes, followed by the data (here an int array of descriptors).
     * <pre>
     *   0 size_t cmsg_len (header + data, unpadded)   8 int cmsg_level   12 int cmsg_type   16 data...
     * </pre>
     */
    static final StructLayout CMSGHDR = MemoryLayout.structLayout(
            JAVA_LONG.withName("cmsg_len"),
            JAVA_INT.withName("cmsg_level"),
            JAVA_INT.withName("cmsg_type"));
    static final long CMSG_LEN_OFFSET = offset(CMSGHDR, "cmsg_len");
    static final long CMSG_LEVEL_OFFSET = offset(CMSGHDR, "cmsg_level");
    static final long CMSG_TYPE_OFFSET = offset(CMSGHDR, "cmsg_type");

    /**
     * {@code struct ucred} (unix(7), SO_PEERCRED), 12 bytes.
     * <pre>
     *   0 pid_t pid   4 uid_t uid   8 gid_t gid
     * </pre>
     */
    static final StructLayout UCRED = MemoryLayout.structLayout(
            JAVA_INT.withName("pid"),
            JAVA_INT.withName("uid"),
            JAVA_INT.withName("gid"));
    static final long UCRED_PID_OFFSET = offset(UCRED, "pid");
    static final long UCRED_UID_OFFSET = offset(UCRED, "uid");
    static final long UCRED_GID_OFFSET = offset(UCRED, "gid");

    private SocketStructs() {
    }

    private static long offset(StructLayout layout, String field) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    /** CMSG_ALIGN: control messages are padded to the alignment of size_t (8 on LP64). */
    static long cmsgAlign(long length) {
        return (length + Long.BYTES - 1) & ~(long) (Long.BYTES - 1);
    }

    /** CMSG_LEN: the cmsg_len of a message carrying {@code dataBytes}: the aligned header plus the data, unpadded. */
    static long cmsgLen(long dataBytes) {
        return cmsgAlign(CMSGHDR.byteSize()) + dataBytes;
    }

    /** CMSG_SPACE: the room a message carrying {@code dataBytes} takes in a control buffer, padding included. */
    static long cmsgSpace(long dataBytes) {
        return cmsgAlign(CMSGHDR.byteSize()) + cmsgAlign(dataBytes);
    }
}
