package io.sluice.session.crossprocess;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.sys.EventFd;
import io.sluice.core.sys.MemFd;
import io.sluice.core.sys.NativeFd;
import io.sluice.core.sys.SharedMemory;
import io.sluice.core.sys.UnixSocket;
import io.sluice.session.mq.EventFdDoorbell;
import io.sluice.session.mq.MessageHandler;
import io.sluice.session.mq.MessageQueue;
import io.sluice.session.mq.Producers;
import io.sluice.session.mq.QueueLayout;
import io.sluice.session.testing.ChildJvm;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A message queue shared by three processes: two producer processes post half a million events each; this process
 * consumes them, sleeping on the eventfd whenever the queue runs dry. Every event must arrive exactly once and in
 * order per producer, and the consumer must really have slept and been woken by the producers' doorbell.
 */
class CrossProcessQueueTest {

    private static final int PRODUCERS = 2;
    private static final long EVENTS_PER_PRODUCER = 500_000;
    private static final int SLOTS = 1024;
    private static final int SLOT_SIZE = 64;
    private static final int TIMEOUT_SECONDS = 120;

    @Test
    @Timeout(value = 3 * TIMEOUT_SECONDS / 2)
    void aMillionEventsFromTwoProcessesArriveExactlyOnce(@TempDir Path dir) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        long regionSize = QueueLayout.footprint(SLOTS, SLOT_SIZE);
        String socketPath = dir.resolve("queue.sock").toString();
        ChildJvm[] producers = new ChildJvm[PRODUCERS];
        UnixSocket[] peers = new UnixSocket[PRODUCERS];
        try (UnixSocket listener = UnixSocket.open(UnixSocket.Type.SEQPACKET, true);
                NativeFd memfd = MemFd.create("sluice-test-queue", MemFd.MFD_CLOEXEC);
                EventFdDoorbell doorbell = new EventFdDoorbell(
                        EventFd.create(0, EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC))) {
            listener.bind(socketPath);
            listener.listen(PRODUCERS);
            MemFd.truncate(memfd, regionSize);
            try (SharedMemory mapping = SharedMemory.map(memfd, regionSize)) {
                MessageQueue queue = MessageQueue.format(mapping.segment(), SLOTS, SLOT_SIZE, Producers.MULTIPLE,
                        doorbell);
                for (int id = 0; id < PRODUCERS; id++) {
                    producers[id] = ChildJvm.start(QueueProducerPeer.class, dir.resolve("producer-" + id + ".log"),
                            socketPath, Integer.toString(TIMEOUT_SECONDS));
                    peers[id] = Handoff.accept(listener, deadline, producers[id]::isAlive);
                    Handoff.sendRequest(peers[id], List.of(memfd, doorbell.eventFd().fd()), regionSize,
                            EVENTS_PER_PRODUCER, id, 0);
                }

                long[] nextExpected = new long[PRODUCERS];
                long[] received = {0};
                MessageHandler check = (memory, offset, length) -> {
                    int id = (int) memory.get(JAVA_LONG, offset);
                    long seq = memory.get(JAVA_LONG, offset + 8);
                    if (id < 0 || id >= PRODUCERS || seq != nextExpected[id]) {
                        throw new AssertionError("event (" + id + ", " + seq + ") out of place; expected next "
                                + Arrays.toString(nextExpected));
                    }
                    nextExpected[id]++;
                    received[0]++;
                };
                long total = PRODUCERS * EVENTS_PER_PRODUCER;
                long wokenByDoorbell = 0;
                while (received[0] < total) {
                    if (queue.drain(check, 256) == 0) {
                        if (doorbell.sleep(queue, 100)) {
                            wokenByDoorbell++;
                        }
                        if (System.nanoTime() > deadline) {
                            throw new AssertionError("received " + received[0] + " of " + total + "\n"
                                    + producers[0].logTail() + "\n" + producers[1].logTail());
                        }
                    }
                }

                for (int id = 0; id < PRODUCERS; id++) {
                    assertEquals(0, producers[id].awaitExit(60, TimeUnit.SECONDS), producers[id].logTail());
                    assertEquals(EVENTS_PER_PRODUCER, Handoff.receiveReply(peers[id])[0]);
                    assertEquals(EVENTS_PER_PRODUCER, nextExpected[id], "events from producer " + id);
                }
                assertEquals(total, received[0]);
                assertTrue(queue.isEmpty(), "nothing extra arrived");
                assertTrue(wokenByDoorbell > 0, "the consumer slept and the producers' eventfd woke it");
                assertTrue(queue.wakeupCount() >= wokenByDoorbell, "wakeups counted by the producers: "
                        + queue.wakeupCount() + ", seen by the consumer: " + wokenByDoorbell);
            }
        } finally {
            for (int id = 0; id < PRODUCERS; id++) {
                if (peers[id] != null) {
                    peers[id].close();
                }
                if (producers[id] != null) {
                    producers[id].close();
                }
            }
        }
    }
}
