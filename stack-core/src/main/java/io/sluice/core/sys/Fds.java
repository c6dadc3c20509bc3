package io.sluice.core.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * close(2), fcntl(2), read(2) and write(2) on raw file descriptor numbers. Most code should hold a {@link NativeFd},
 * which owns the number and calls these.
 *
 * <p>read and write take native segments only (the downcalls are not linked for heap access) and allocate nothing on
 * the Java heap: the errno slot is the calling thread's scratch area.
 */
public final class Fds {

    /** What {@link #read} and {@link #write} return when a non-blocking descriptor is not ready (EAGAIN). */
    public static final long WOULD_BLOCK = -1;

    /** open(2)/fcntl(2) status flag: calls return EAGAIN instead of blocking. Same value on x86_64 and aarch64. */
    public static final int O_NONBLOCK = 0x800;
    /** open(2) flag: close the descriptor across execve(2). */
    public static final int O_CLOEXEC = 0x80000;
    /** fcntl(2) descriptor flag (F_GETFD/F_SETFD): close on exec. */
    public static final int FD_CLOEXEC = 1;

    static final int F_GETFD = 1;
    static final int F_SETFD = 2;
    static final int F_GETFL = 3;
    static final int F_SETFL = 4;
    /** fcntl(2) command: duplicate onto the lowest free number at or above the argument, with FD_CLOEXEC set. */
    static final int F_DUPFD_CLOEXEC = 1030;

    private static final MethodHandle CLOSE = NativeAccess.downcall("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    /** fcntl is variadic; the third argument is always passed as an int here (F_GETFL ignores it). */
    private static final MethodHandle FCNTL = NativeAccess.downcall("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle READ = NativeAccess.downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = NativeAccess.downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));

    private Fds() {
    }

    /**
     * Closes a descriptor. On Linux the descriptor is released even when close fails (also on EINTR), so the call is
     * never retried: a retry could close a number another thread has just been given.
     */
    public static void close(int fd) throws SyscallException {
        MemorySegment state = NativeAccess.scratch().callState;
        int result;
        try {
            result = (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
        if (result < 0) {
            throw new SyscallException("close", "fd=" + fd, NativeAccess.errno(state));
        }
    }

    /** fcntl(fd, cmd, arg), returning its non-negative result. */
    static int fcntl(int fd, int cmd, int arg) throws SyscallException {
        MemorySegment state = NativeAccess.scratch().callState;
        int result;
        try {
            result = (int) FCNTL.invokeExact(state, fd, cmd, arg);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
        NativeAccess.check(result, state, "fcntl", "fd=" + fd + ", cmd=" + cmd + ", arg=" + arg);
        return result;
    }

    /**
     * A second descriptor of the same open file (dup(2), close-on-exec), for handing one end of an eventfd or memfd
     * to an owner that will close its own copy.
     */
    public static int duplicate(int fd) throws SyscallException {
        return fcntl(fd, F_DUPFD_CLOEXEC, 0);
    }

    /** Sets or clears O_NONBLOCK, keeping the other status flags. */
    public static void setNonBlocking(int fd, boolean nonBlocking) throws SyscallException {
        setFlag(fd, F_GETFL, F_SETFL, O_NONBLOCK, nonBlocking);
    }

    /** Whether O_NONBLOCK is set. */
    public static boolean isNonBlocking(int fd) throws SyscallException {
        return (fcntl(fd, F_GETFL, 0) & O_NONBLOCK) != 0;
    }

    /** Sets or clears FD_CLOEXEC. */
    public static void setCloseOnExec(int fd, boolean closeOnExec) throws SyscallException {
        setFlag(fd, F_GETFD, F_SETFD, FD_CLOEXEC, closeOnExec);
    }

    /** Whether FD_CLOEXEC is set. */
    public static boolean isCloseOnExec(int fd) throws SyscallException {
        return (fcntl(fd, F_GETFD, 0) & FD_CLOEXEC) != 0;
    }

    /** Read-modify-write of one flag bit (status flags or descriptor flags); no write when it is already so. */
    private static void setFlag(int fd, int getCommand, int setCommand, int flag, boolean on) throws SyscallException {
        int flags = fcntl(fd, getCommand, 0);
        int wanted = on ? flags | flag : flags & ~flag;
        if (wanted != flags) {
            fcntl(fd, setCommand, wanted);
        }
    }

    /**
     * Reads up to {@code dst.byteSize()} bytes into a native segment, retrying on EINTR.
     *
     * @return the bytes read, 0 at end of file, or {@link #WOULD_BLOCK} when a non-blocking descriptor has nothing
     */
    public static long read(int fd, MemorySegment dst) throws SyscallException {
        return transfer(READ, "read", fd, dst, dst.byteSize(), "count");
    }

    /**
     * Writes {@code src.byteSize()} bytes from a native segment (or fewer: the count is returned), retrying on EINTR.
     *
     * @return the bytes written, or {@link #WOULD_BLOCK} when a non-blocking descriptor cannot take any now
     */
    public static long write(int fd, MemorySegment src) throws SyscallException {
        return transfer(WRITE, "write", fd, src, src.byteSize(), "count");
    }

    /**
     * One read-like or write-like call (read, write, recv, send, recvmsg, sendmsg), retrying on EINTR and turning
     * EAGAIN into {@link #WOULD_BLOCK}. Allocates nothing unless it throws.
     *
     * @param handle {@code ssize_t call(int fd, void *segment, long argument)} with errno capture
     * @param argumentName what the last argument is, for the error message ("count", "flags")
     */
    static long transfer(MethodHandle handle, String call, int fd, MemorySegment segment, long argument,
            String argumentName) throws SyscallException {
        MemorySegment state = NativeAccess.scratch().callState;
        long outcome;
        do {
            long result;
            try {
                result = (long) handle.invokeExact(state, fd, segment, argument);
            } catch (Throwable t) {
                throw NativeAccess.rethrow(t);
            }
            outcome = transferOutcome(result, state, call, fd, argument, argumentName);
        } while (outcome == RETRY);
        return outcome;
    }

    /** {@link #transferOutcome} for a call interrupted by a signal: make it again. */
    static final long RETRY = -2;

    /**
     * What the result of a read-like or write-like call means: the byte count when it succeeded,
     * {@link #WOULD_BLOCK} for EAGAIN, {@link #RETRY} for EINTR; any other errno throws, naming the call.
     */
    static long transferOutcome(long result, MemorySegment state, String call, int fd, long argument,
            String argumentName) throws SyscallException {
        if (result >= 0) {
            return result;
        }
        int errno = NativeAccess.errno(state);
        if (errno == Errno.EAGAIN) {
            return WOULD_BLOCK;
        }
        if (errno == Errno.EINTR) {
            return RETRY;
        }
        throw new SyscallException(call, "fd=" + fd + ", " + argumentName + "=" + argument, errno);
    }
}
