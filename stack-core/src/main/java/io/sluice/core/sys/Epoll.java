package io.sluice.core.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.util.Objects;

/**
 * An epoll(7) instance: where an idle worker sleeps on its eventfds, TAP queues and sockets.
 *
 * <p>{@link #waitFor(int)} fills a native event array this object owns and allocates nothing on the Java heap; the
 * i-th result is read with {@link #events(int)} and {@link #data(int)}. Waiting and reading results belong to one
 * thread at a time. {@link #add}, {@link #modify} and {@link #delete} may be called from any thread (the kernel
 * serialises them), and build their epoll_event in the calling thread's scratch area.
 */
public final class Epoll implements AutoCloseable {

    /** Readable. */
    public static final int EPOLLIN = 0x001;
    /** Urgent data. */
    public static final int EPOLLPRI = 0x002;
    /** Writable. */
    public static final int EPOLLOUT = 0x004;
    /** Error; always reported, need not be asked for. */
    public static final int EPOLLERR = 0x008;
    /** Hang-up; always reported, need not be asked for. */
    public static final int EPOLLHUP = 0x010;
    /** The peer closed its writing half (stream sockets). */
    public static final int EPOLLRDHUP = 0x2000;
    /** Wake only one of several epoll instances waiting on the same file (add only). */
    public static final int EPOLLEXCLUSIVE = 1 << 28;
    /** Report the next event only, then disarm until {@link #modify} re-arms. */
    public static final int EPOLLONESHOT = 1 << 30;
    /** Edge-triggered: report a change of state once, not every wait while it lasts. */
    public static final int EPOLLET = 1 << 31;

    /** epoll_create1 flag: close on exec, defined by the kernel as O_CLOEXEC. */
    static final int EPOLL_CLOEXEC = Fds.O_CLOEXEC;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_DEL = 2;
    static final int EPOLL_CTL_MOD = 3;

    /**
     * {@code struct epoll_event} on x86_64: the kernel declares it {@code __attribute__((packed))} there
     * (include/uapi/linux/eventpoll.h, EPOLL_PACKED) for compatibility with 32-bit x86, so the 64-bit data sits at
     * offset 4, unaligned, and the struct is 12 bytes.
     * <pre>
     *   0 uint32 events   4 uint64 data (epoll_data_t: ptr / fd / u32 / u64)   = 12 bytes
     * </pre>
     */
    static final StructLayout EPOLL_EVENT_X86_64 = MemoryLayout.structLayout(
            JAVA_INT.withName("events"),
            JAVA_LONG_UNALIGNED.withName("data"));

    /**
     * {@code struct epoll_event} on aarch64 (and every other 64-bit architecture): naturally aligned, so four bytes
     * of padding put data at offset 8 and the struct is 16 bytes.
     * <pre>
     *   0 uint32 events   4 padding   8 uint64 data   = 16 bytes
     * </pre>
     */
    static final StructLayout EPOLL_EVENT_AARCH64 = MemoryLayout.structLayout(
            JAVA_INT.withName("events"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("data"));

    static final StructLayout EPOLL_EVENT = NativeAccess.ARCH == NativeAccess.Arch.AARCH64
            ? EPOLL_EVENT_AARCH64 : EPOLL_EVENT_X86_64;
    static final long EVENTS_OFFSET = EPOLL_EVENT.byteOffset(MemoryLayout.PathElement.groupElement("events"));
    static final long DATA_OFFSET = EPOLL_EVENT.byteOffset(MemoryLayout.PathElement.groupElement("data"));
    static final long EVENT_BYTES = EPOLL_EVENT.byteSize();

    /** The most events one wait may return; epoll_wait(2) takes an int count and Sluice has no use for more. */
    public static final int MAX_EVENTS = 4096;

    private static final MethodHandle EPOLL_CREATE1 = NativeAccess.downcall("epoll_create1",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CTL = NativeAccess.downcall("epoll_ctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle EPOLL_WAIT = NativeAccess.downcall("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    /** epoll_wait without errno capture: the sleeping path's call, allocation-free however it is compiled. */
    private static final MethodHandle EPOLL_WAIT_UNCHECKED = NativeAccess.downcallUnchecked("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));

    private final NativeFd fd;
    private final Arena arena;
    private final MemorySegment events;
    private final int capacity;
    /** How many entries of {@link #events} the last wait filled; read only by the waiting thread. */
    private int ready;

    private Epoll(NativeFd fd, Arena arena, int capacity) {
        this.fd = fd;
        this.arena = arena;
        this.capacity = capacity;
        this.events = arena.allocate(EPOLL_EVENT.byteSize() * capacity, EPOLL_EVENT.byteAlignment());
    }

    /**
     * Creates an epoll instance (close on exec).
     *
     * @param capacity the most events one {@link #waitFor} returns, 1 to {@link #MAX_EVENTS}
     */
    public static Epoll create(int capacity) throws SyscallException {
        if (capacity < 1 || capacity > MAX_EVENTS) {
            throw new IllegalArgumentException("epoll capacity " + capacity + " is outside 1.." + MAX_EVENTS);
        }
        MemorySegment state = NativeAccess.scratch().callState;
        int result;
        try {
            result = (int) EPOLL_CREATE1.invokeExact(state, EPOLL_CLOEXEC);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
        NativeAccess.check(result, state, "epoll_create1", "flags=EPOLL_CLOEXEC");
        NativeFd fd = NativeFd.adopt(result);
        // Shared: the instance may be built on one thread and waited on by a worker.
        return new Epoll(fd, Arena.ofShared(), capacity);
    }

    /** Registers a descriptor with an interest mask (EPOLLIN, ...) and data returned with its events. */
    public void add(NativeFd target, int interest, long data) throws SyscallException {
        control(EPOLL_CTL_ADD, "EPOLL_CTL_ADD", target, interest, data);
    }

    /** Changes a registered descriptor's interest mask and data (and re-arms an EPOLLONESHOT registration). */
    public void modify(NativeFd target, int interest, long data) throws SyscallException {
        control(EPOLL_CTL_MOD, "EPOLL_CTL_MOD", target, interest, data);
    }

    /** Removes a registered descriptor. */
    public void delete(NativeFd target) throws SyscallException {
        control(EPOLL_CTL_DEL, "EPOLL_CTL_DEL", target, 0, 0);
    }

    private void control(int op, String opName, NativeFd target, int interest, long data) throws SyscallException {
        int epfd = fd.intValue();
        int targetFd = target.intValue();
        NativeAccess.Scratch scratch = NativeAccess.scratch();
        MemorySegment event = scratch.buffer;
        event.set(JAVA_INT, EVENTS_OFFSET, interest);
        event.set(JAVA_LONG_UNALIGNED, DATA_OFFSET, data);
        int result;
        try {
            result = (int) EPOLL_CTL.invokeExact(scratch.callState, epfd, op, targetFd, event);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
        if (result < 0) {
            throw new SyscallException("epoll_ctl", "epfd=" + epfd + ", op=" + opName + ", fd=" + targetFd
                    + ", events=0x" + Integer.toHexString(interest) + ", data=" + data,
                    NativeAccess.errno(scratch.callState));
        }
    }

    /**
     * Waits for events (epoll_wait(2)). Not named {@code wait}, so that it cannot be confused with
     * {@link Object#wait(long)}.
     *
     * @param timeoutMillis -1 to wait without limit, 0 to poll, else the most milliseconds to wait
     * @return how many events are ready (0 on timeout, and also when a signal interrupted the wait: EINTR)
     */
    public int waitFor(int timeoutMillis) throws SyscallException {
        int epfd = fd.intValue();
        int result;
        try {
            result = (int) EPOLL_WAIT_UNCHECKED.invokeExact(epfd, events, capacity, timeoutMillis);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
        if (result >= 0) {
            ready = result;
            return result;
        }
        // Failed (a signal, most likely): poll once more with errno captured, to learn why if it fails again
        // (without waiting: the caller's timeout has been spent, or cut short, already).
        MemorySegment state = NativeAccess.scratch().callState;
        try {
            result = (int) EPOLL_WAIT.invokeExact(state, epfd, events, capacity, 0);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
        if (result < 0) {
            ready = 0;
            int errno = NativeAccess.errno(state);
            if (errno == Errno.EINTR) {
                return 0;
            }
            throw new SyscallException("epoll_wait", "epfd=" + epfd + ", maxevents=" + capacity + ", timeout="
                    + timeoutMillis, errno);
        }
        ready = result;
        return result;
    }

    /** The event mask of the index-th event of the last {@link #waitFor}. */
    public int events(int index) {
        return events.get(JAVA_INT, Objects.checkIndex(index, ready) * EVENT_BYTES + EVENTS_OFFSET);
    }

    /** The data registered with the descriptor of the index-th event of the last {@link #waitFor}. */
    public long data(int index) {
        return events.get(JAVA_LONG_UNALIGNED, Objects.checkIndex(index, ready) * EVENT_BYTES + DATA_OFFSET);
    }

    /** The most events one wait returns. */
    public int capacity() {
        return capacity;
    }

    /** The epoll descriptor itself (an epoll instance can be registered with another, or polled). */
    public NativeFd fd() {
        return fd;
    }

    /** Frees the event array and closes the descriptor. Call it from the waiting thread, or after it stopped. */
    @Override
    public void close() throws SyscallException {
        if (fd.isOpen()) {
            arena.close();
            fd.close();
        }
    }
}
