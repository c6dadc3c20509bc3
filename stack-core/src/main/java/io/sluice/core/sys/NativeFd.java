package io.sluice.core.sys;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Owns one file descriptor: closes it exactly once, however many times {@link #close()} is called.
 *
 * <p>Closing a descriptor while another thread is still using it is the owner's mistake to avoid: the number may be
 * reused by the next open in the process, so a late call would act on an unrelated file. {@link #intValue()} refuses
 * after close, which catches the common case of a stale owner but cannot close that race.
 */
public final class NativeFd implements AutoCloseable {

    private final int fd;
    private final AtomicBoolean closed = new AtomicBoolean();

    private NativeFd(int fd) {
        this.fd = fd;
    }

    /** Takes ownership of an open descriptor number, e.g. one received with SCM_RIGHTS. */
    public static NativeFd adopt(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("not a file descriptor: " + fd);
        }
        return new NativeFd(fd);
    }

    /**
     * The descriptor number.
     *
     * @throws IllegalStateException once closed
     */
    public int intValue() {
        if (closed.get()) {
            throw new IllegalStateException("file descriptor " + fd + " is closed");
        }
        return fd;
    }

    /** Whether {@link #close()} has not been called yet. */
    public boolean isOpen() {
        return !closed.get();
    }

    /** A new owned descriptor of the same open file (see {@link Fds#duplicate}); this one stays open. */
    public NativeFd duplicate() throws SyscallException {
        return new NativeFd(Fds.duplicate(intValue()));
    }

    /** Sets or clears O_NONBLOCK. */
    public void setNonBlocking(boolean nonBlocking) throws SyscallException {
        Fds.setNonBlocking(intValue(), nonBlocking);
    }

    /** Whether O_NONBLOCK is set. */
    public boolean isNonBlocking() throws SyscallException {
        return Fds.isNonBlocking(intValue());
    }

    /** See {@link Fds#read}: bytes read, 0 at end of file, or {@link Fds#WOULD_BLOCK}. */
    public long read(MemorySegment dst) throws SyscallException {
        return Fds.read(intValue(), dst);
    }

    /** See {@link Fds#write}: bytes written, or {@link Fds#WOULD_BLOCK}. */
    public long write(MemorySegment src) throws SyscallException {
        return Fds.write(intValue(), src);
    }

    /** Closes the descriptor the first time; later calls do nothing. */
    @Override
    public void close() throws SyscallException {
        if (closed.compareAndSet(false, true)) {
            Fds.close(fd);
        }
    }

    @Override
    public String toString() {
        return closed.get() ? "fd " + fd + " (closed)" : "fd " + fd;
    }
}
