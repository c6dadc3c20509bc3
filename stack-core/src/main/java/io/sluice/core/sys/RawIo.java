package io.sluice.core.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * read(2) and write(2) on a native address and a count, for data paths that move frames in and out of the buffer
 * pool: {@link Fds#read} takes a segment, and slicing the pool's segment per frame allocates (the slice escapes
 * into the downcall, measured at 40 bytes a frame). The caller owns the bounds: the address must point into live
 * native memory it holds with at least {@code count} bytes, such as {@code BufferPool.dataAddress} while the pool
 * is open. Like {@link Fds}, EINTR is retried and EAGAIN returned as {@link Fds#WOULD_BLOCK}; nothing allocates
 * unless it throws.
 */
public final class RawIo {

    /** ssize_t read(int fd, void *buf, size_t count), the buffer passed as a plain address. */
    private static final MethodHandle READ = NativeAccess.downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    /** ssize_t write(int fd, const void *buf, size_t count), likewise. */
    private static final MethodHandle WRITE = NativeAccess.downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));

    private RawIo() {}

    /**
     * Reads up to {@code count} bytes to {@code address}.
     *
     * @return the bytes read, 0 at end of file, or {@link Fds#WOULD_BLOCK}
     */
    public static long read(int fd, long address, long count) throws SyscallException {
        return transfer(READ, "read", fd, address, count);
    }

    /**
     * Writes {@code count} bytes from {@code address} (or fewer: the count is returned).
     *
     * @return the bytes written, or {@link Fds#WOULD_BLOCK}
     */
    public static long write(int fd, long address, long count) throws SyscallException {
        return transfer(WRITE, "write", fd, address, count);
    }

    private static long transfer(MethodHandle handle, String call, int fd, long address, long count)
            throws SyscallException {
        if (address == 0 || count < 0) {
            throw new IllegalArgumentException(call + ": address 0x" + Long.toHexString(address) + ", count "
                    + count);
        }
        MemorySegment state = NativeAccess.scratch().callState;
        long outcome;
        do {
            long result;
            try {
                result = (long) handle.invokeExact(state, fd, address, count);
            } catch (Throwable t) {
                throw NativeAccess.rethrow(t);
            }
            outcome = Fds.transferOutcome(result, state, call, fd, count, "count");
        } while (outcome == Fds.RETRY);
        return outcome;
    }
}
