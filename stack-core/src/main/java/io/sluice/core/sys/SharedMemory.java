package io.sluice.core.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@code MAP_SHARED} mapping of a file descriptor (usually a memfd, ours or one received from another process),
 * seen as a {@link MemorySegment}.
 *
 * <p>The segment belongs to a shared arena this object owns, so any thread may use it, and {@link #close()} both
 * invalidates the segment (later accesses throw IllegalStateException instead of touching unmapped memory) and
 * munmaps it. The mapping stays valid after the descriptor is closed, so a receiver may map a segment's memfd and
 * close the descriptor at once.
 *
 * <p>Accessing the segment costs what it costs in any other arena (one plain liveness load per access). Closing it
 * costs a handshake with every Java thread (about 0.1 ms), so a mapping lives as long as what it holds (an
 * application segment, a connection's FIFOs), never one packet.
 */
public final class SharedMemory implements AutoCloseable {

    /** Pages may be read. */
    public static final int PROT_READ = 1;
    /** Pages may be written. */
    public static final int PROT_WRITE = 2;

    static final int MAP_SHARED = 1;
    /** mmap's error return, {@code (void *) -1}. */
    private static final long MAP_FAILED = -1L;
    /** sysconf(3) name of the page size on Linux ({@code _SC_PAGESIZE}). */
    private static final int SC_PAGESIZE = 30;

    private static final MethodHandle MMAP = NativeAccess.downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = NativeAccess.downcall("munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle SYSCONF = NativeAccess.downcallNoErrno("sysconf",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT));

    private final Arena arena;
    private final MemorySegment segment;
    private final long address;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Slot 0 is set by the arena's cleanup action when munmap fails, and reported by {@link #close()}. */
    private final int[] munmapErrno;

    private SharedMemory(Arena arena, MemorySegment segment, long address, int[] munmapErrno) {
        this.arena = arena;
        this.segment = segment;
        this.address = address;
        this.munmapErrno = munmapErrno;
    }

    /** The system page size: mapping offsets must be a multiple of it. */
    public static long pageSize() {
        try {
            return (long) SYSCONF.invokeExact(SC_PAGESIZE);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
    }

    /** Maps the first {@code size} bytes of a descriptor for reading and writing. */
    public static SharedMemory map(NativeFd fd, long size) throws SyscallException {
        return map(fd, 0, size, PROT_READ | PROT_WRITE);
    }

    /**
     * Maps {@code size} bytes of a descriptor from {@code offset}.
     *
     * @param offset a multiple of {@link #pageSize()}
     * @param size more than zero; for a regular file, {@code offset + size} must not pass the file's end, because
     *     touching a mapped page past the end raises SIGBUS, which would kill the JVM
     * @param protection {@link #PROT_READ}, optionally with {@link #PROT_WRITE}; a read-only mapping gives a read-only
     *     segment, so a stray write throws instead of faulting
     */
    @SuppressWarnings("restricted")
    public static SharedMemory map(NativeFd fd, long offset, long size, int protection) throws SyscallException {
        checkArguments(fd, offset, size, protection);
        int rawFd = fd.intValue();
        FileStat stat = FileStat.of(fd);
        if (stat.isRegularFile() && offset + size > stat.size()) {
            throw new IllegalArgumentException("cannot map " + size + " bytes at offset " + offset + " of fd " + rawFd
                    + ": the file has only " + stat.size() + " bytes, and touching a page past its end raises SIGBUS");
        }
        MemorySegment state = NativeAccess.scratch().callState;
        MemorySegment mapped;
        try {
            mapped = (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, size, protection, MAP_SHARED, rawFd,
                    offset);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
        if (mapped.address() == MAP_FAILED) {
            throw new SyscallException("mmap", "length=" + size + ", prot=" + protection + ", flags=MAP_SHARED, fd="
                    + rawFd + ", offset=" + offset, NativeAccess.errno(state));
        }
        Arena arena = Arena.ofShared();
        int[] munmapErrno = new int[1];
        // The cleanup runs inside arena.close(), after the segment has been invalidated for every thread.
        MemorySegment segment = mapped.reinterpret(size, arena, unused -> munmapErrno[0] = unmap(mapped, size));
        if ((protection & PROT_WRITE) == 0) {
            segment = segment.asReadOnly();
        }
        return new SharedMemory(arena, segment, mapped.address(), munmapErrno);
    }

    private static void checkArguments(NativeFd fd, long offset, long size, int protection) {
        if (fd == null) {
            throw new IllegalArgumentException("fd is null");
        }
        if (size <= 0) {
            throw new IllegalArgumentException("mapping size must be positive: " + size);
        }
        long page = pageSize();
        if (offset < 0 || offset % page != 0) {
            throw new IllegalArgumentException("mapping offset " + offset + " is not a non-negative multiple of the "
                    + page + "-byte page");
        }
        if ((protection & PROT_READ) == 0 || (protection & ~(PROT_READ | PROT_WRITE)) != 0) {
            throw new IllegalArgumentException("protection must be PROT_READ or PROT_READ|PROT_WRITE, not "
                    + protection);
        }
    }

    /** munmap(2), returning 0 or the errno (the arena's cleanup action cannot throw a checked exception). */
    private static int unmap(MemorySegment mapped, long size) {
        MemorySegment state = NativeAccess.scratch().callState;
        int result;
        try {
            result = (int) MUNMAP.invokeExact(state, mapped, size);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
        return result < 0 ? NativeAccess.errno(state) : 0;
    }

    /** The mapped memory; it throws IllegalStateException once this mapping is closed. */
    public MemorySegment segment() {
        return segment;
    }

    /** The mapping's length in bytes. */
    public long size() {
        return segment.byteSize();
    }

    /** Whether {@link #close()} has not been called. */
    public boolean isMapped() {
        return !closed.get();
    }

    /**
     * Invalidates the segment and unmaps the memory; later calls do nothing.
     *
     * @throws IllegalStateException when another thread is in the middle of a native call that uses the segment
     */
    @Override
    public void close() throws SyscallException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            arena.close();
        } catch (IllegalStateException inUse) {
            closed.set(false);
            throw inUse;
        }
        if (munmapErrno[0] != 0) {
            throw new SyscallException("munmap", "addr=0x" + Long.toHexString(address) + ", length="
                    + segment.byteSize(), munmapErrno[0]);
        }
    }

    @Override
    public String toString() {
        return "shared mapping of " + segment.byteSize() + " bytes at 0x" + Long.toHexString(address)
                + (closed.get() ? " (unmapped)" : "");
    }
}
