package io.sluice.core.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

/**
 * The two fields of fstat(2) the bindings need: the file type (to know whether a size is meaningful) and the size
 * (to refuse a mapping past the end of a file, which would raise SIGBUS on first touch and kill the JVM).
 *
 * @param mode {@code st_mode}: file type and permission bits
 * @param size {@code st_size} in bytes
 */
public record FileStat(int mode, long size) {

    /** st_mode's file-type bits and the type of a regular file (memfds are regular files). */
    static final int S_IFMT = 0xf000;
    static final int S_IFREG = 0x8000;

    /**
     * {@code struct stat} on x86_64 (arch/x86/include/uapi/asm/stat.h), 144 bytes. st_nlink is 64-bit and comes
     * before st_mode, which is why the layout differs from aarch64's.
     * <pre>
     *   0 st_dev    8 st_ino   16 st_nlink   24 st_mode  28 st_uid  32 st_gid  36 pad
     *  40 st_rdev  48 st_size  56 st_blksize 64 st_blocks 72 st_atim/st_mtim/st_ctim (3 x 16)  120 unused[3]
     * </pre>
     */
    static final StructLayout STAT_X86_64 = MemoryLayout.structLayout(
            JAVA_LONG.withName("st_dev"),
            JAVA_LONG.withName("st_ino"),
            JAVA_LONG.withName("st_nlink"),
            JAVA_INT.withName("st_mode"),
            JAVA_INT.withName("st_uid"),
            JAVA_INT.withName("st_gid"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("st_rdev"),
            JAVA_LONG.withName("st_size"),
            JAVA_LONG.withName("st_blksize"),
            JAVA_LONG.withName("st_blocks"),
            MemoryLayout.paddingLayout(3 * 16 + 3 * 8));

    /**
     * {@code struct stat} on aarch64 (the generic layout of include/uapi/asm-generic/stat.h), 128 bytes.
     * <pre>
     *   0 st_dev    8 st_ino   16 st_mode  20 st_nlink  24 st_uid  28 st_gid  32 st_rdev  40 pad
     *  48 st_size  56 st_blksize 60 pad  64 st_blocks  72 st_atim/st_mtim/st_ctim (3 x 16)  120 unused[2]
     * </pre>
     */
    static final StructLayout STAT_AARCH64 = MemoryLayout.structLayout(
            JAVA_LONG.withName("st_dev"),
            JAVA_LONG.withName("st_ino"),
            JAVA_INT.withName("st_mode"),
            JAVA_INT.withName("st_nlink"),
            JAVA_INT.withName("st_uid"),
            JAVA_INT.withName("st_gid"),
            JAVA_LONG.withName("st_rdev"),
            MemoryLayout.paddingLayout(8),
            JAVA_LONG.withName("st_size"),
            JAVA_INT.withName("st_blksize"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("st_blocks"),
            MemoryLayout.paddingLayout(3 * 16 + 2 * 4));

    static final StructLayout STAT = NativeAccess.ARCH == NativeAccess.Arch.AARCH64 ? STAT_AARCH64 : STAT_X86_64;
    static final long ST_MODE_OFFSET = STAT.byteOffset(MemoryLayout.PathElement.groupElement("st_mode"));
    static final long ST_SIZE_OFFSET = STAT.byteOffset(MemoryLayout.PathElement.groupElement("st_size"));

    /** {@code int fstat(int fd, struct stat *statbuf)}, exported by glibc since 2.33. */
    private static final MethodHandle FSTAT = NativeAccess.downcall("fstat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));

    /** fstat(2) of a descriptor. */
    public static FileStat of(NativeFd fd) throws SyscallException {
        int rawFd = fd.intValue();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stat = arena.allocate(STAT);
            MemorySegment state = NativeAccess.scratch().callState;
            int result;
            try {
                result = (int) FSTAT.invokeExact(state, rawFd, stat);
            } catch (Throwable t) {
                throw NativeAccess.rethrow(t);
            }
            NativeAccess.check(result, state, "fstat", "fd=" + rawFd);
            return new FileStat(stat.get(JAVA_INT, ST_MODE_OFFSET), stat.get(JAVA_LONG, ST_SIZE_OFFSET));
        }
    }

    /** Whether this is a regular file (such as a memfd), whose size bounds what may be mapped. */
    public boolean isRegularFile() {
        return (mode & S_IFMT) == S_IFREG;
    }
}
