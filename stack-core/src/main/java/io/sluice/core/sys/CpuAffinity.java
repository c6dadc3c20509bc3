package io.sluice.core.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.BitSet;

/**
 * Pins the calling thread to CPUs (sched_setaffinity(2)), as VPP pins its workers to {@code corelist-workers}.
 *
 * <p>The calls pass pid 0, which Linux reads as "the calling thread" (affinity is per thread there, not per
 * process), so each worker pins itself. A virtual thread must not: it would pin whichever carrier runs it now.
 */
public final class CpuAffinity {

    /** sysconf(3) name of the number of configured processors on Linux ({@code _SC_NPROCESSORS_CONF}). */
    private static final int SC_NPROCESSORS_CONF = 83;
    /** glibc's cpu_set_t holds 1024 CPUs; larger machines need a larger mask, sized from the CPU count. */
    private static final int MIN_MASK_BYTES = 128;

    private static final MethodHandle SCHED_SETAFFINITY = NativeAccess.downcall("sched_setaffinity",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
    private static final MethodHandle SCHED_GETAFFINITY = NativeAccess.downcall("sched_getaffinity",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
    private static final MethodHandle SYSCONF = NativeAccess.downcallNoErrno("sysconf",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
    private static final MethodHandle GETTID = NativeAccess.downcallNoErrno("gettid",
            FunctionDescriptor.of(JAVA_INT));

    private CpuAffinity() {
    }

    /**
     * The kernel's id of the calling thread (gettid(2)): what {@code top -H}, {@code ps -L} and {@code taskset -p}
     * show, for {@code show threads}. It never fails.
     */
    public static int currentThreadId() {
        try {
            return (int) GETTID.invokeExact();
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
    }

    /** The number of CPUs the system has configured (online or not); valid CPU indexes are 0 to this less one. */
    public static int cpuCount() {
        try {
            return (int) (long) SYSCONF.invokeExact(SC_NPROCESSORS_CONF);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
    }

    /** The CPUs the calling thread may run on. */
    public static BitSet get() throws SyscallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(maskBytes(cpuCount()), Long.BYTES);
            call(SCHED_GETAFFINITY, "sched_getaffinity", mask, "pid=0 (this thread), cpusetsize=" + mask.byteSize());
            return BitSet.valueOf(mask.toArray(JAVA_LONG));
        }
    }

    /** Pins the calling thread to one CPU. */
    public static void pin(int cpu) throws SyscallException {
        BitSet one = new BitSet();
        checkCpu(cpu, cpuCount());
        one.set(cpu);
        set(one);
    }

    /**
     * Lets the calling thread run on these CPUs only.
     *
     * @param cpus a non-empty set of CPU indexes below {@link #cpuCount()}
     */
    public static void set(BitSet cpus) throws SyscallException {
        if (cpus == null || cpus.isEmpty()) {
            throw new IllegalArgumentException("a thread needs at least one CPU to run on");
        }
        int count = cpuCount();
        checkCpu(cpus.length() - 1, count);
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("a virtual thread cannot be pinned to CPUs; pin the platform thread "
                    + "that runs the worker");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(maskBytes(count), Long.BYTES);
            long[] words = cpus.toLongArray();
            MemorySegment.copy(words, 0, mask, JAVA_LONG, 0, words.length);
            call(SCHED_SETAFFINITY, "sched_setaffinity", mask, "pid=0 (this thread), cpus=" + cpus);
        }
    }

    private static void checkCpu(int cpu, int count) {
        if (cpu < 0 || cpu >= count) {
            throw new IllegalArgumentException("CPU " + cpu + " is out of range: this machine has " + count
                    + " CPUs (0.." + (count - 1) + ")");
        }
    }

    /** A whole number of 64-bit words, as the kernel reads the mask in unsigned longs. */
    static long maskBytes(int cpuCount) {
        long words = (cpuCount + 63L) / 64;
        return Math.max(MIN_MASK_BYTES, words * Long.BYTES);
    }

    private static void call(MethodHandle handle, String name, MemorySegment mask, String arguments)
            throws SyscallException {
        MemorySegment state = NativeAccess.scratch().callState;
        int result;
        try {
            result = (int) handle.invokeExact(state, 0, mask.byteSize(), mask);
        } catch (Throwable t) {
            throw NativeAccess.rethrow(t);
        }
        if (result < 0) {
            int errno = NativeAccess.errno(state);
            throw new SyscallException(name, arguments, errno, errno == Errno.EINVAL && handle == SCHED_SETAFFINITY
                    ? "none of these CPUs is online and allowed to this thread (see its cpuset)" : null);
        }
    }
}
