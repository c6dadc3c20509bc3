package io.sluice.core.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.engine.EngineFixture.Recorder;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two worker threads with traffic that crosses between them: frames read by worker 0, handed off to worker 1,
 * handed back and sent. Once warm (the JIT has compiled the loop and the native calls), a window of traffic
 * allocates nothing on either worker thread.
 */
class WorkerAllocationFreeTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int WINDOWS = 60;
    private static final long WINDOW_MILLIS = 200;

    private TestStack stack;

    @BeforeEach
    void setUp() {
        stack = new TestStack(8192);
    }

    @AfterEach
    void tearDown() throws Exception {
        stack.close();
    }

    @Test
    void workersWithHandoffTrafficAllocateNothingOnceWarm() throws Exception {
        int sequences = 1 << 16;
        Recorder[] perHop = {new Recorder(sequences, 2), new Recorder(sequences, 2), new Recorder(sequences, 2)};
        Recorder sent = new Recorder(sequences, 2);
        QueueDevice device = stack.add(new QueueDevice("qa", EngineFixture.MAC_A, stack.pool, 1, 1, true,
                sequences));
        Engine engine = stack.add(new Engine(EngineConfig.workers(2), stack.pool, stack.interfaces,
                EngineFixture.stub(sent, EngineFixture.hopThenTurnAround(2, perHop))));
        engine.addInterface(device);
        engine.start();
        long[] workerIds = {engine.threads().get(1).threadId(), engine.threads().get(2).threadId()};

        AtomicBoolean stop = new AtomicBoolean();
        Thread feeder = new Thread(() -> {
            try (BufferCache own = stack.pool.newCache()) {
                long injected = 0;
                while (!stop.get()) {
                    if (injected - device.sent() < 512) {
                        device.inject(0, EngineFixture.frame(own, (int) (injected++ % sequences)));
                    } else {
                        Thread.onSpinWait();
                    }
                }
            }
        }, "feeder");
        feeder.start();
        try {
            String perWindow = "";
            boolean quiet = false;
            for (int w = 0; w < WINDOWS && !quiet; w++) {
                long[] before = {THREADS.getThreadAllocatedBytes(workerIds[0]),
                    THREADS.getThreadAllocatedBytes(workerIds[1])};
                long sentBefore = device.sent();
                Thread.sleep(WINDOW_MILLIS);
                long bytes = THREADS.getThreadAllocatedBytes(workerIds[0]) - before[0]
                        + THREADS.getThreadAllocatedBytes(workerIds[1]) - before[1];
                long frames = device.sent() - sentBefore;
                perWindow += bytes + "B/" + frames + " ";
                quiet = bytes == 0 && frames > 1000;
            }
            System.out.println("worker allocation per window (bytes/frames): " + perWindow);
            assertTrue(quiet, "no window of traffic without allocation on the workers: " + perWindow);
        } finally {
            stop.set(true);
            feeder.join(10_000);
        }
        stack.assertEveryBufferBackAfterClose();
    }
}
