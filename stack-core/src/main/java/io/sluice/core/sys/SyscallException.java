package io.sluice.core.sys;

import java.io.IOException;

/**
 * A system call failed: carries the call's name, its arguments and the errno it left, and reads as
 * {@code eventfd_write(fd=7, value=1) failed: EBADF (Bad file descriptor)}.
 *
 * <p>Non-blocking calls that would block (EAGAIN) do not throw this; they return a documented value instead.
 */
public final class SyscallException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String call;
    private final String arguments;
    private final int errno;

    /**
     * @param call the C function, e.g. {@code "mmap"}
     * @param arguments the arguments as {@code name=value} pairs, e.g. {@code "fd=7, size=4096"}
     * @param errno the errno the call left
     */
    public SyscallException(String call, String arguments, int errno) {
        this(call, arguments, errno, null);
    }

    /**
     * @param hint what the user can do about it (e.g. a capability to grant), appended to the message; may be null
     */
    public SyscallException(String call, String arguments, int errno, String hint) {
        super(call + "(" + arguments + ") failed: " + Errno.name(errno) + " (" + Errno.message(errno) + ")"
                + (hint == null ? "" : "; " + hint));
        this.call = call;
        this.arguments = arguments;
        this.errno = errno;
    }

    /** The C function that failed. */
    public String call() {
        return call;
    }

    /** The arguments it was given, as {@code name=value} pairs. */
    public String arguments() {
        return arguments;
    }

    /** The errno the call left, see {@link Errno}. */
    public int errno() {
        return errno;
    }

    /** The errno's symbol, e.g. {@code "EBADF"}. */
    public String errnoName() {
        return Errno.name(errno);
    }
}
