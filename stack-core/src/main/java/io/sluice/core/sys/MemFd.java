package io.sluice.core.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * memfd_create(2): anonymous files in RAM, the backing of the shared-memory segments the stack and an application
 * both map. The descriptor is what travels to the application (SCM_RIGHTS); {@link SharedMemory} maps it.
 *
 * <p>A segment the stack maps should be sealed against shrinking ({@link #F_SEAL_SHRINK}) before it is handed out:
 * if the other process could truncate the file, the stack's next access to the lost pages would raise SIGBUS.
 */
public final class MemFd {

    /** memfd_create flag: close on exec. */
    public static final int MFD_CLOEXEC = 1;
    /** memfd_create flag: allow {@link #addSeals}; without it the file starts sealed with F_SEAL_SEAL. */
    public static final int MFD_ALLOW_SEALING = 2;

    /** Seal: no further seals may be added. */
    public static final int F_SEAL_SEAL = 1;
    /** Seal: the file may not shrink. */
    public static final int F_SEAL_SHRINK = 2;
    /** Seal: the file may not grow. */
    public static final int F_SEAL_GROW = 4;
    /** Seal: the contents may not change (and no writable shared mapping may be made). */
    public static final int F_SEAL_WRITE = 8;

    /** The longest name memfd_create accepts: NAME_MAX (255) less the "memfd:" prefix the kernel adds. */
    public static final int MAX_NAME_BYTES = 249;

    static final int F_ADD_SEALS = 1033;
    static final int F_GET_SEALS = 1034;

    private static final int ALL_FLAGS = MFD_CLOEXEC | MFD_ALLOW_SEALING;

    private static final MethodHandle MEMFD_CREATE = NativeAccess.downcall("memfd_create",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FTRUNCATE = NativeAccess.downcall("ftruncate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));

    private MemFd() {
    }

    /**
     * Creates an empty memfd.
     *
     * @param name shown in /proc/PID/fd and /proc/PID/maps as {@code /memfd:name}; at most {@link #MAX_NAME_BYTES}
     *     bytes of UTF-8, no NUL
     * @param flags {@link #MFD_CLOEXEC} and/or {@link #MFD_ALLOW_SEALING}
     */
    public static NativeFd create(String name, int flags) throws SyscallException {
        byte[] bytes = CStrings.checkedBytes("memfd name", name, MAX_NAME_BYTES);
        NativeAccess.checkFlags("memfd_create", flags, ALL_FLAGS);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cName = CStrings.allocate(arena, bytes);
            MemorySegment state = NativeAccess.scratch().callState;
            int result;
            try {
                result = (int) MEMFD_CREATE.invokeExact(state, cName, flags);
            } catch (Throwable t) {
                throw NativeAccess.rethrow(t);
            }
            NativeAccess.check(result, state, "memfd_create", "name=" + name + ", flags=0x"
                    + Integer.toHexString(flags));
            return NativeFd.adopt(result);
        }
    }

    /** Sets the file's size with ftruncate(2); new bytes read as zero. */
    public static void truncate(NativeFd fd, long size) throws SyscallException {
        if (size < 0) {
            throw new IllegalArgumentException("negative file size " + size);
        }
        int rawFd = fd.intValue();
        MemorySegment state = NativeAccess.scratch().callState;
        int result;
        try {
            result = (int) FTRUNCATE.invokeExact(state, rawFd, size);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
        NativeAccess.check(result, state, "ftruncate", "fd=" + rawFd + ", length=" + size);
    }

    /** The file's size, from fstat(2). */
    public static long size(NativeFd fd) throws SyscallException {
        return FileStat.of(fd).size();
    }

    /** Adds seals (F_SEAL_*) with fcntl(F_ADD_SEALS); the memfd must have been created with MFD_ALLOW_SEALING. */
    public static void addSeals(NativeFd fd, int seals) throws SyscallException {
        Fds.fcntl(fd.intValue(), F_ADD_SEALS, seals);
    }

    /** The seals in force, from fcntl(F_GET_SEALS). */
    public static int seals(NativeFd fd) throws SyscallException {
        return Fds.fcntl(fd.intValue(), F_GET_SEALS, 0);
    }
}
