package io.sluice.session.mq;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.util.AllocationMeter;
import io.sluice.session.segment.SharedMemoryCorruptedException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MessageQueueTest {

    private final Arena arena = Arena.ofShared();

    @AfterEach
    void close() {
        arena.close();
    }

    private MemorySegment region(int slots, int slotSize) {
        return arena.allocate(QueueLayout.footprint(slots, slotSize), 64);
    }

    /** Posts one message whose payload is two longs; returns false when full. */
    private static boolean post(MessageQueue queue, long a, long b) {
        long position = queue.tryClaim();
        if (position == MessageQueue.FULL) {
            return false;
        }
        queue.memory().set(JAVA_LONG, queue.payloadOffset(position), a);
        queue.memory().set(JAVA_LONG, queue.payloadOffset(position) + 8, b);
        queue.commit(position);
        return true;
    }

    /** Collects first words of drained messages. */
    private static final class Collector implements MessageHandler {
        final List<Long> first = new ArrayList<>();

        @Override
        public void onMessage(MemorySegment memory, long offset, int length) {
            first.add(memory.get(JAVA_LONG, offset));
        }
    }

    @ParameterizedTest
    @EnumSource(Producers.class)
    void deliversInOrderAndReportsFullDistinctly(Producers producers) {
        MessageQueue queue = MessageQueue.format(region(8, 64), 8, 64, producers, Doorbell.NONE);
        assertEquals(56, queue.payloadSize());
        for (int i = 0; i < 8; i++) {
            assertTrue(post(queue, i, -i));
        }
        assertEquals(MessageQueue.FULL, queue.tryClaim());
        assertFalse(post(queue, 99, 0));
        assertEquals(2, queue.fullCount(), "each full claim is counted");
        assertEquals(8, queue.size());

        Collector collector = new Collector();
        assertEquals(3, queue.drain(collector, 3), "drain honours its limit");
        assertTrue(post(queue, 8, 0), "freed slots are reusable");
        assertEquals(6, queue.drain(collector, 100));
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L), collector.first);
        assertTrue(queue.isEmpty());
        assertEquals(0, queue.drain(collector, 100));
    }

    @ParameterizedTest
    @EnumSource(Producers.class)
    void survivesManyLapsOfTheRing(Producers producers) {
        MessageQueue queue = MessageQueue.format(region(4, 32), 4, 32, producers, Doorbell.NONE);
        Collector collector = new Collector();
        long next = 0;
        for (int lap = 0; lap < 10_000; lap++) {
            int batch = 1 + lap % 4;
            for (int i = 0; i < batch; i++) {
                assertTrue(post(queue, next++, 0));
            }
            assertEquals(batch, queue.drain(collector, 10));
        }
        assertEquals(next, collector.first.size());
        for (int i = 0; i < next; i++) {
            assertEquals(i, collector.first.get(i));
        }
    }

    @Test
    void offerCopiesAPayloadAndChecksItsSize() {
        MessageQueue queue = MessageQueue.format(region(4, 32), 4, 32, Producers.MULTIPLE, Doorbell.NONE);
        MemorySegment message = arena.allocate(24);
        message.set(JAVA_LONG, 0, 42);
        assertTrue(queue.offer(message, 0, 24));
        assertThrows(IllegalArgumentException.class, () -> queue.offer(message, 0, 25));
        Collector collector = new Collector();
        queue.drain(collector, 1);
        assertEquals(List.of(42L), collector.first);
    }

    @Test
    void attachSharesTheQueueAndChecksTheHeader() {
        MemorySegment region = region(16, 64);
        assertThrows(SharedMemoryCorruptedException.class, () -> MessageQueue.attach(region, Doorbell.NONE));
        MessageQueue consumer = MessageQueue.format(region, 16, 64, Producers.MULTIPLE, Doorbell.NONE);
        MessageQueue producer = MessageQueue.attach(region, Doorbell.NONE);
        assertEquals(16, producer.slotCount());
        assertTrue(post(producer, 7, 0));
        Collector collector = new Collector();
        assertEquals(1, consumer.drain(collector, 10));
        assertEquals(List.of(7L), collector.first);

        assertEquals(Producers.MULTIPLE, producer.producers(), "the mode comes from the header");
        region.set(JAVA_INT, QueueLayout.PRODUCERS_OFFSET, 7);
        assertThrows(SharedMemoryCorruptedException.class, () -> MessageQueue.attach(region, Doorbell.NONE));
        region.set(JAVA_INT, QueueLayout.PRODUCERS_OFFSET, 2);
        region.set(JAVA_INT, QueueLayout.SLOT_COUNT_OFFSET, 1 << 20);
        SharedMemoryCorruptedException e =
                assertThrows(SharedMemoryCorruptedException.class, () -> MessageQueue.attach(region, Doorbell.NONE));
        assertTrue(e.getMessage().contains("1048576 slots"), e.getMessage());
        region.set(JAVA_INT, QueueLayout.SLOT_COUNT_OFFSET, 12);
        assertThrows(SharedMemoryCorruptedException.class, () -> MessageQueue.attach(region, Doorbell.NONE));
    }

    @Test
    void rejectsBadGeometry() {
        assertThrows(IllegalArgumentException.class, () -> QueueLayout.footprint(3, 64));
        assertThrows(IllegalArgumentException.class, () -> QueueLayout.footprint(8, 48));
        assertThrows(IllegalArgumentException.class, () -> QueueLayout.footprint(8, 8));
        assertThrows(IllegalArgumentException.class,
                () -> MessageQueue.format(region(8, 64).asSlice(64), 8, 64, Producers.MULTIPLE, Doorbell.NONE));
    }

    @Test
    void scribbledSequencesAndTailFailClearly() {
        MemorySegment region = region(8, 64);
        MessageQueue queue = MessageQueue.format(region, 8, 64, Producers.MULTIPLE, Doorbell.NONE);
        post(queue, 1, 1);
        region.set(JAVA_LONG, QueueLayout.SLOTS_OFFSET, 12345); // slot 0's sequence
        SharedMemoryCorruptedException e =
                assertThrows(SharedMemoryCorruptedException.class, () -> queue.drain(new Collector(), 10));
        assertTrue(e.getMessage().contains("sequence 12345"), e.getMessage());
        region.set(JAVA_LONG, QueueLayout.SLOTS_OFFSET, 1); // back to "published for position 0"
        region.set(JAVA_LONG, QueueLayout.TAIL_OFFSET, -3);
        assertThrows(SharedMemoryCorruptedException.class, queue::tryClaim);
        // A tail further from the head than the ring is long: the producer checks when it looks at the head.
        region.set(JAVA_LONG, QueueLayout.TAIL_OFFSET, 100);
        e = assertThrows(SharedMemoryCorruptedException.class, queue::tryClaim);
        assertTrue(e.getMessage().contains("more than 8 apart"), e.getMessage());
        region.set(JAVA_LONG, QueueLayout.TAIL_OFFSET, 1);
        region.set(JAVA_LONG, QueueLayout.SLOTS_OFFSET, 9); // "published" one lap ahead: no valid state
        assertThrows(SharedMemoryCorruptedException.class, queue::isEmpty);
    }

    @ParameterizedTest
    @EnumSource(Producers.class)
    void doorbellRingsOncePerAnnouncedSleepOnly(Producers producers) {
        AtomicInteger rings = new AtomicInteger();
        MessageQueue queue = MessageQueue.format(region(16, 64), 16, 64, producers, rings::incrementAndGet);
        post(queue, 1, 0);
        assertEquals(0, rings.get(), "no ring while the consumer polls");
        assertFalse(queue.prepareToSleep(), "a waiting message forbids sleeping");
        queue.drain(new Collector(), 10);
        assertTrue(queue.prepareToSleep());
        post(queue, 2, 0);
        post(queue, 3, 0);
        assertEquals(1, rings.get(), "only the first message after the announcement rings");
        assertEquals(1, queue.wakeupCount());
        queue.drain(new Collector(), 10);
        assertTrue(queue.prepareToSleep());
        queue.cancelSleep();
        post(queue, 4, 0);
        assertEquals(1, rings.get(), "a withdrawn announcement is not rung");
    }

    /**
     * Several producers post concurrently while the consumer alternates between draining and sleeping on a doorbell
     * (a semaphore here; an eventfd in the stack). Every message arrives exactly once, each producer's in order.
     */
    @ParameterizedTest
    @EnumSource(Producers.class)
    void manyProducersOneSleepingConsumerLoseNothing(Producers producers) throws Exception {
        int producerThreads = producers == Producers.SINGLE ? 1 : 3;
        int perProducer = 200_000;
        Semaphore doorbell = new Semaphore(0);
        MessageQueue queue = MessageQueue.format(region(256, 64), 256, 64, producers, doorbell::release);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (int p = 0; p < producerThreads; p++) {
            int id = p;
            threads.add(Thread.ofPlatform().name("producer-" + p).start(() -> {
                try {
                    for (long seq = 0; seq < perProducer; ) {
                        if (post(queue, id, seq)) {
                            seq++;
                        } else if (System.nanoTime() > deadline) {
                            throw new AssertionError("producer " + id + " stuck at " + seq);
                        } else {
                            Thread.onSpinWait();
                        }
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        long[] nextExpected = new long[producerThreads];
        long[] received = {0};
        MessageHandler check = (memory, offset, length) -> {
            int id = (int) memory.get(JAVA_LONG, offset);
            long seq = memory.get(JAVA_LONG, offset + 8);
            if (seq != nextExpected[id]) {
                throw new AssertionError("producer " + id + ": got " + seq + ", expected " + nextExpected[id]);
            }
            nextExpected[id]++;
            received[0]++;
        };
        long sleeps = 0;
        while (received[0] < (long) producerThreads * perProducer) {
            assertTrue(System.nanoTime() < deadline, "consumer stuck after " + received[0] + " messages");
            if (failure.get() != null) {
                break;
            }
            if (queue.drain(check, 64) == 0 && queue.prepareToSleep()) {
                sleeps++;
                doorbell.tryAcquire(100, TimeUnit.MILLISECONDS);
                queue.cancelSleep();
            }
        }
        for (Thread t : threads) {
            t.join(10_000);
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals((long) producerThreads * perProducer, received[0]);
        assertTrue(queue.isEmpty());
        assertTrue(sleeps > 0 || queue.wakeupCount() == 0, "wakeups only follow sleeps");
    }

    @ParameterizedTest
    @EnumSource(Producers.class)
    void steadyStateOperationsAllocateNothing(Producers producers) {
        MessageQueue queue = MessageQueue.format(region(64, 64), 64, 64, producers, () -> {});
        MessageHandler sum = (memory, offset, length) -> memory.get(JAVA_LONG, offset);
        long allocated = AllocationMeter.allocatedInSteadyState(() -> {
            for (int i = 0; i < 10_000; i++) {
                post(queue, i, i);
                post(queue, i, i);
                queue.drain(sum, 64);
                queue.prepareToSleep();
                post(queue, i, i);
                queue.drain(sum, 64);
                queue.cancelSleep();
            }
        });
        assertEquals(0, allocated, "bytes allocated by 10000 rounds of queue operations");
    }
}
