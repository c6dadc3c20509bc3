package io.sluice.core.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * An eventfd(2): a 64-bit kernel counter used as a wakeup signal (a message queue's consumer sleeps on it, producers
 * write it when the consumer said it is going to sleep).
 *
 * <p>{@link #read()} and {@link #write(long)} allocate nothing on the Java heap and may be called from any number of
 * threads: write passes the value by register to glibc's eventfd_write(3), and read's out-parameter lives in the
 * calling thread's scratch area, as does the errno slot of both. No lock is needed because the kernel makes each
 * 8-byte read and write atomic.
 */
public final class EventFd implements AutoCloseable {

    /** Reads return 1 and decrement the counter, instead of returning the whole count and zeroing it. */
    public static final int EFD_SEMAPHORE = 1;
    /**
     * Reads and writes return instead of blocking: see {@link #EMPTY} and {@link #write(long)}. The kernel defines
     * EFD_NONBLOCK and EFD_CLOEXEC as O_NONBLOCK and O_CLOEXEC.
     */
    public static final int EFD_NONBLOCK = Fds.O_NONBLOCK;
    /** Close on exec; the stack passes eventfds to applications with SCM_RIGHTS, never by exec. */
    public static final int EFD_CLOEXEC = Fds.O_CLOEXEC;

    /**
     * What a non-blocking {@link #read()} returns when the counter is zero. A successful read never returns zero
     * (the kernel blocks or fails instead), so the value cannot be confused with an event.
     */
    public static final long EMPTY = 0;

    /** The largest counter value, 0xfffffffffffffffe, read as an unsigned long. */
    public static final long MAX_COUNT = 0xffff_ffff_ffff_fffeL;

    private static final int ALL_FLAGS = EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC;

    private static final MethodHandle EVENTFD = NativeAccess.downcall("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    /** {@code int eventfd_read(int fd, eventfd_t *value)}: glibc's 8-byte read(2). */
    private static final MethodHandle EVENTFD_READ = NativeAccess.downcall("eventfd_read",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    /** eventfd_read without errno capture: a sleep's reset, allocation-free however it is compiled. */
    private static final MethodHandle EVENTFD_READ_UNCHECKED = NativeAccess.downcallUnchecked("eventfd_read",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    /** {@code int eventfd_write(int fd, eventfd_t value)}: glibc's 8-byte write(2) from its own stack. */
    private static final MethodHandle EVENTFD_WRITE = NativeAccess.downcall("eventfd_write",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    /** eventfd_write without errno capture: a wakeup's call, allocation-free however it is compiled. */
    private static final MethodHandle EVENTFD_WRITE_UNCHECKED = NativeAccess.downcallUnchecked("eventfd_write",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));

    private final NativeFd fd;

    private EventFd(NativeFd fd) {
        this.fd = fd;
    }

    /**
     * Takes ownership of a descriptor that refers to an eventfd, such as one received from another process with
     * SCM_RIGHTS. Closing the returned object closes it.
     */
    public static EventFd adopt(NativeFd fd) {
        return new EventFd(java.util.Objects.requireNonNull(fd, "fd"));
    }

    /**
     * Creates an eventfd.
     *
     * @param initialValue the counter's start value, 0 to 2^32-1 (eventfd(2) takes an unsigned int)
     * @param flags any of {@link #EFD_SEMAPHORE}, {@link #EFD_NONBLOCK}, {@link #EFD_CLOEXEC}
     */
    public static EventFd create(long initialValue, int flags) throws SyscallException {
        if (initialValue < 0 || initialValue > 0xffff_ffffL) {
            throw new IllegalArgumentException("eventfd initial value " + initialValue + " is outside 0.."
                    + 0xffff_ffffL);
        }
        NativeAccess.checkFlags("eventfd", flags, ALL_FLAGS);
        MemorySegment state = NativeAccess.scratch().callState;
        int result;
        try {
            result = (int) EVENTFD.invokeExact(state, (int) initialValue, flags);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
        NativeAccess.check(result, state, "eventfd", "initval=" + initialValue + ", flags=0x"
                + Integer.toHexString(flags));
        return new EventFd(NativeFd.adopt(result));
    }

    /**
     * Reads the counter, retrying on EINTR. In normal mode this returns the count and resets it to zero; in
     * semaphore mode it returns 1 and decrements it.
     *
     * @return the value read (never zero), or {@link #EMPTY} when a non-blocking eventfd's counter is zero
     */
    public long read() throws SyscallException {
        int rawFd = fd.intValue();
        NativeAccess.Scratch scratch = NativeAccess.scratch();
        try {
            if ((int) EVENTFD_READ_UNCHECKED.invokeExact(rawFd, scratch.word) == 0) {
                return scratch.word.get(JAVA_LONG, 0);
            }
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
        // Failed, most likely empty (EAGAIN): again with errno captured, to tell empty from an error.
        while (true) {
            int result;
            try {
                result = (int) EVENTFD_READ.invokeExact(scratch.callState, rawFd, scratch.word);
            } catch (Throwable t) {
                throw NativeAccess.rethrow(t);
            }
            if (result == 0) {
                return scratch.word.get(JAVA_LONG, 0);
            }
            int errno = NativeAccess.errno(scratch.callState);
            if (errno == Errno.EAGAIN) {
                return EMPTY;
            }
            if (errno != Errno.EINTR) {
                throw new SyscallException("eventfd_read", "fd=" + rawFd, errno);
            }
        }
    }

    /**
     * Adds to the counter, retrying on EINTR.
     *
     * @param value 0 to {@link #MAX_COUNT} as an unsigned long; -1 (2^64-1) is the one value eventfd(2) refuses
     * @return true when added; false when a non-blocking eventfd's counter would pass {@link #MAX_COUNT} (EAGAIN)
     */
    public boolean write(long value) throws SyscallException {
        if (value == -1L) {
            throw new IllegalArgumentException("eventfd cannot add 0xffffffffffffffff (the counter's limit is "
                    + Long.toUnsignedString(MAX_COUNT) + ")");
        }
        int rawFd = fd.intValue();
        try {
            if ((int) EVENTFD_WRITE_UNCHECKED.invokeExact(rawFd, value) == 0) {
                return true;
            }
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
        // Failed: again with errno captured, to tell a full counter (EAGAIN) from an error.
        MemorySegment state = NativeAccess.scratch().callState;
        while (true) {
            int result;
            try {
                result = (int) EVENTFD_WRITE.invokeExact(state, rawFd, value);
            } catch (Throwable t) {
                throw NativeAccess.rethrow(t);
            }
            if (result == 0) {
                return true;
            }
            int errno = NativeAccess.errno(state);
            if (errno == Errno.EAGAIN) {
                return false;
            }
            if (errno != Errno.EINTR) {
                throw new SyscallException("eventfd_write", "fd=" + rawFd + ", value=" + Long.toUnsignedString(value),
                        errno);
            }
        }
    }

    /** The descriptor, e.g. to register with {@link Epoll} or to pass to another process. */
    public NativeFd fd() {
        return fd;
    }

    @Override
    public void close() throws SyscallException {
        fd.close();
    }

    @Override
    public String toString() {
        return "eventfd " + fd;
    }
}
