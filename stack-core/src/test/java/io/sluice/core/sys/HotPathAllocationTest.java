package io.sluice.core.sys;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The steady-state paths a worker runs per wakeup (eventfd write and read, epoll wait, fd read and write) must not
 * allocate on the Java heap. Measured with the JVM's per-thread allocation counter after a warm-up long enough for
 * the JIT to compile the loop.
 */
class HotPathAllocationTest {

    private static final int WARM_UP = 200_000;
    private static final int MEASURED = 20_000;

    @Test
    void eventfdEpollAndFdReadWriteAllocateNothing() throws Exception {
        com.sun.management.ThreadMXBean threads = threadBean();
        long thread = Thread.currentThread().threadId();
        try (EventFd efd = EventFd.create(0, EventFd.EFD_NONBLOCK); Epoll epoll = Epoll.create(4);
                EventFd raw = EventFd.create(0, EventFd.EFD_NONBLOCK); Arena arena = Arena.ofConfined()) {
            epoll.add(efd.fd(), Epoll.EPOLLIN, 42);
            MemorySegment eight = arena.allocate(8);
            eight.set(JAVA_LONG, 0, 1);
            long sum = cycle(efd, epoll, raw, eight, WARM_UP);
            long before = threads.getThreadAllocatedBytes(thread);
            sum += cycle(efd, epoll, raw, eight, MEASURED);
            long allocated = threads.getThreadAllocatedBytes(thread) - before;
            assertEquals((WARM_UP + MEASURED) * 44L, sum, "every cycle saw its event");
            assertEquals(0, allocated, "bytes allocated in " + MEASURED + " cycles");
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

    private static com.sun.management.ThreadMXBean threadBean() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "this JVM cannot count allocated bytes");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "this JVM cannot count allocated bytes");
        threads.setThreadAllocatedMemoryEnabled(true);
        return threads;
    }
}
