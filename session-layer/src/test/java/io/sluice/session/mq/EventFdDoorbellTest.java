package io.sluice.session.mq;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.sys.EventFd;
import io.sluice.core.sys.SyscallException;
import io.sluice.core.util.AllocationMeter;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventFdDoorbellTest {

    private final Arena arena = Arena.ofShared();
    private final EventFdDoorbell doorbell;
    private final MessageQueue queue;

    EventFdDoorbellTest() throws SyscallException {
        doorbell = new EventFdDoorbell(EventFd.create(0, EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC));
        queue = MessageQueue.format(arena.allocate(QueueLayout.footprint(16, 16), 64), 16, 16, Producers.SINGLE,
                doorbell);
    }

    @AfterEach
    void close() throws SyscallException {
        doorbell.close();
        arena.close();
    }

    private void post(long value) {
        long position = queue.tryClaim();
        queue.memory().set(JAVA_LONG, queue.payloadOffset(position), value);
        queue.commit(position);
    }

    @Test
    void doesNotSleepOnAWaitingMessage() throws SyscallException {
        post(1);
        long start = System.nanoTime();
        assertFalse(doorbell.sleep(queue, 5_000));
        assertTrue(System.nanoTime() - start < 1_000_000_000L, "returned at once");
        assertEquals(0, queue.wakeupCount());
    }

    @Test
    void timesOutWhenNobodyRings() throws SyscallException {
        long start = System.nanoTime();
        assertFalse(doorbell.sleep(queue, 20));
        assertTrue(System.nanoTime() - start >= 15_000_000L, "waited for the timeout");
        post(1);
        assertEquals(0, queue.wakeupCount(), "the announcement was withdrawn after the timeout");
    }

    @Test
    void aProducerOnAnotherThreadWakesTheSleeper() throws Exception {
        Thread producer = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            post(42);
        });
        long start = System.nanoTime();
        boolean woken = doorbell.sleep(queue, 10_000);
        long waited = System.nanoTime() - start;
        producer.join(10_000);
        assertTrue(woken, "woken by the doorbell, not the timeout");
        assertTrue(waited < 5_000_000_000L, "woken long before the timeout: " + waited + " ns");
        assertEquals(1, queue.wakeupCount());
        assertFalse(queue.isEmpty());
    }

    @Test
    void ringAndSleepAllocateNothingInSteadyState() {
        long[] drained = {0};
        MessageHandler count = (memory, offset, length) -> drained[0]++;
        long allocated = AllocationMeter.allocatedInSteadyState(() -> {
            for (int i = 0; i < 1_000; i++) {
                try {
                    // Announce a sleep; a producer posts and rings the eventfd. The consumer drains, then sleeps:
                    // the pending ring makes epoll return at once and the counter is read back to zero.
                    if (!queue.prepareToSleep()) {
                        throw new AssertionError("queue not empty");
                    }
                    post(i);
                    queue.drain(count, 16);
                    if (!doorbell.sleep(queue, 1_000)) {
                        throw new AssertionError("the pending ring did not wake the sleeper");
                    }
                } catch (SyscallException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
        assertEquals(0, allocated, "bytes allocated by 1000 ring/sleep/drain cycles");
        assertEquals(queue.wakeupCount(), drained[0], "one ring and one wakeup per message");
    }
}
