package io.sluice.session.cut;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.sys.SharedMemory;
import io.sluice.session.fifo.ByteFifo;
import io.sluice.session.mq.MessageQueue;
import io.sluice.session.mq.QueueLayout;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The event rules between the two ends: RX events coalesce, dequeue notifications wake a blocked writer. */
@Timeout(60)
class CutThroughEventsTest {

    @Test
    void aThousandWritesWithoutADrainRaiseOneRxEvent() throws Exception {
        try (ChannelFixture f = ChannelFixture.open(31, 4, 4096)) {
            int slot = f.channel.allocate().slot();
            ByteFifo out = f.connector.fifoToPeer(slot);
            byte[] one = {42};
            int posted = 0;
            for (int i = 0; i < 1000; i++) {
                assertEquals(1, out.enqueue(one, 0, 1));
                posted += f.connector.postRx(slot) ? 1 : 0;
            }
            assertEquals(1, posted, "only the first write found the has-event flag clear");
            EventLog log = new EventLog();
            assertEquals(1, f.accepter.drain(log));
            assertEquals(1, log.rx);
            assertEquals(slot, log.lastSlot);
            assertFalse(f.accepter.fifoFromPeer(slot).hasEvent(), "drain cleared the flag before handing RX over");
            assertEquals(1000, f.accepter.fifoFromPeer(slot).readableBytes());

            out.enqueue(one, 0, 1);
            assertTrue(f.connector.postRx(slot), "a write after the reader cleared the flag raises a new event");
            assertEquals(1, f.accepter.drain(log));
            assertEquals(2, log.rx);
            assertEquals(0, f.connector.drain(log), "nothing travels the other way");
        }
    }

    @Test
    void aWriterBlockedOnAFullFifoIsWokenByTheReadersNotification() throws Exception {
        try (ChannelFixture f = ChannelFixture.open(32, 4, 4096)) {
            int slot = f.channel.allocate().slot();
            ByteFifo out = f.connector.fifoToPeer(slot);
            byte[] block = new byte[4096];
            assertEquals(4096, out.enqueue(block, 0, block.length));
            assertTrue(f.connector.postRx(slot));
            assertEquals(0, out.freeSpace());

            CountDownLatch asleep = new CountDownLatch(1);
            AtomicReference<Object> outcome = new AtomicReference<>();
            Thread writer = Thread.ofPlatform().name("cut-writer").start(() -> {
                try {
                    assertEquals(0, f.connector.requestDequeueNotification(slot), "still full: must wait");
                    assertTrue(f.connector.prepareToSleep());
                    asleep.countDown();
                    long start = System.nanoTime();
                    // No polling: one wait on the worker's own eventfd, long enough that a timeout is a failure.
                    boolean rung = f.connectorWakeup.await(20_000);
                    f.connector.cancelSleep();
                    EventLog log = new EventLog();
                    f.connector.drain(log);
                    outcome.set(new long[] {rung ? 1 : 0, log.dequeued, log.lastSlot, out.freeSpace(),
                            System.nanoTime() - start});
                } catch (Throwable t) {
                    outcome.set(t);
                }
            });
            assertTrue(asleep.await(20, TimeUnit.SECONDS));
            EventLog log = new EventLog();
            assertEquals(1, f.accepter.drain(log));
            ByteFifo in = f.accepter.fifoFromPeer(slot);
            assertEquals(1000, in.dequeue(new byte[1000], 0, 1000));
            assertTrue(f.accepter.notifyWriterIfWanted(slot), "the writer asked to be told");
            assertFalse(f.accepter.notifyWriterIfWanted(slot), "one notification per request");
            writer.join(30_000);
            assertFalse(writer.isAlive());
            if (outcome.get() instanceof Throwable t) {
                throw new AssertionError("writer failed", t);
            }
            long[] result = (long[]) outcome.get();
            assertEquals(1, result[0], "woken by the doorbell, not by the timeout");
            assertEquals(1, result[1], "one DEQUEUED event");
            assertEquals(slot, result[2]);
            assertEquals(1000, result[3], "the space the reader freed");
            System.out.printf("writer woken %.1f us after it went to sleep%n", result[4] / 1e3);
        }
    }

    @Test
    void aWriterThatDoesNotDrainGetsOneDequeuedEventForManyNotifications() throws Exception {
        try (ChannelFixture f = ChannelFixture.open(34, 1, 4096)) {
            int slot = f.channel.allocate().slot();
            ByteFifo out = f.connector.fifoToPeer(slot);
            ByteFifo in = f.accepter.fifoFromPeer(slot);
            byte[] block = new byte[4096];
            int posted = 0;
            // Far more full/notify cycles than the queue has slots: without the pending mark it would overflow.
            for (int cycle = 0; cycle < 1000; cycle++) {
                out.enqueue(block, 0, block.length);
                assertEquals(0, f.connector.requestDequeueNotification(slot));
                assertEquals(block.length, in.dequeue(block, 0, block.length));
                posted += f.accepter.notifyWriterIfWanted(slot) ? 1 : 0;
            }
            assertEquals(1, posted, "one DEQUEUED waits in the writer's queue; later ones ride on it");
            EventLog log = new EventLog();
            assertEquals(1, f.connector.drain(log));
            assertEquals(1, log.dequeued);
            out.enqueue(block, 0, block.length);
            assertEquals(0, f.connector.requestDequeueNotification(slot));
            in.dequeue(block, 0, 1);
            assertTrue(f.accepter.notifyWriterIfWanted(slot), "after the drain the next notification is posted");
        }
    }

    @Test
    void eventsWithAnUnknownTypeOrSlotAreCountedAndSkipped() throws Exception {
        try (ChannelFixture f = ChannelFixture.open(33, 4, 4096);
                SharedMemory hostile = SharedMemory.map(f.channel.channelMemfd(),
                        f.channel.description().channelSegmentSize())) {
            // A misbehaving connector posts through its own view of the queue the accepter drains.
            MessageQueue toAccepter = MessageQueue.attach(hostile.segment().asSlice(
                    f.channel.description().toAccepterOffset(), QueueLayout.footprint(
                            f.channel.description().queueSlotCount(), CutThroughEvent.SLOT_SIZE)),
                    () -> { });
            post(toAccepter, 99, 0);
            post(toAccepter, CutThroughEvent.RX, 4);
            post(toAccepter, CutThroughEvent.RX, -1);
            post(toAccepter, CutThroughEvent.RX, 2);
            EventLog log = new EventLog();
            assertEquals(4, f.accepter.drain(log));
            assertEquals(3, f.accepter.badEvents());
            assertEquals(1, log.rx);
            assertEquals(2, log.lastSlot);
        }
    }

    private static void post(MessageQueue queue, int type, int slot) {
        long position = queue.tryClaim();
        MemorySegment memory = queue.memory();
        memory.set(JAVA_INT, queue.payloadOffset(position) + CutThroughEvent.TYPE_OFFSET, type);
        memory.set(JAVA_INT, queue.payloadOffset(position) + CutThroughEvent.SESSION_SLOT_OFFSET, slot);
        queue.commit(position);
    }
}
