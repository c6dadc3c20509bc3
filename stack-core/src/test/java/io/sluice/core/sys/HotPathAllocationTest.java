package io.sluice.core.sys;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.core.util.AllocationMeter;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * The steady-state paths a worker runs per wakeup (eventfd write and read, epoll wait, fd read and write) must not
 * allocate on the Java heap. Downcalls allocate until C2 compiles their call sites, so the measurement waits for the
 * JIT to settle ({@link AllocationMeter#allocatedInSteadyState}).
 */
class HotPathAllocationTest {

    private static final int CYCLES_PER_RUN = 20_000;

    @Test
    void eventfdEpollAndFdReadWriteAllocateNothing() throws Exception {
        try (EventFd efd = EventFd.create(0, EventFd.EFD_NONBLOCK); Epoll epoll = Epoll.create(4);
                EventFd raw = EventFd.create(0, EventFd.EFD_NONBLOCK); Arena arena = Arena.ofConfined()) {
            epoll.add(efd.fd(), Epoll.EPOLLIN, 42);
            MemorySegment eight = arena.allocate(8);
            eight.set(JAVA_LONG, 0, 1);
            long[] sumAndCycles = new long[2];
            long allocated = AllocationMeter.allocatedInSteadyState(() -> {
                try {
                    sumAndCycles[0] += cycle(efd, epoll, raw, eight, CYCLES_PER_RUN);
                    sumAndCycles[1] += CYCLES_PER_RUN;
                } catch (SyscallException e) {
                    throw new UncheckedIOException(e);
                }
            });
            assertEquals(sumAndCycles[1] * 44L, sumAndCycles[0], "every cycle saw its event");
            assertEquals(0, allocated, "bytes allocated in " + CYCLES_PER_RUN + " cycles");
        }
    }

    private static long cycle(EventFd efd, Epoll epoll, EventFd raw, MemorySegment eight, int count)
            throws SyscallException {
        long sum = 0;
        for (int i = 0; i < count; i++) {
            efd.write(1);
            int ready = epoll.waitFor(0);
            for (int e = 0; e < ready; e++) {
                sum += epoll.data(e);
            }
            sum += efd.read();
            raw.fd().write(eight);
            sum += raw.fd().read(eight);
            sum -= 8;
            sum += eight.get(JAVA_LONG, 0);
            eight.set(JAVA_LONG, 0, 1);
        }
        return sum;
    }
}
