package io.sluice.core.engine;

import static io.sluice.core.engine.EngineFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.engine.EngineFixture.Recorder;
import io.sluice.core.timer.TimerWheel;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An idle worker sleeps in epoll: it uses almost no CPU and wakes for frames, tasks and timers. */
class IdleWorkerTest {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private TestStack stack;
    private Engine engine;

    @BeforeEach
    void setUp() {
        stack = new TestStack(1024);
    }

    @AfterEach
    void tearDown() throws Exception {
        stack.close();
    }

    @Test
    void anIdleWorkerUsesAlmostNoCpuAndWakesForFramesTasksAndTimers() throws Exception {
        Recorder recorder = new Recorder(100, 1);
        AtomicLong expiredAt = new AtomicLong();
        GraphFactory consume = EngineFixture.stub(recorder, EngineFixture.CONSUME);
        GraphFactory withTimer = (builder, resources) -> {
            consume.addNodes(builder, resources);
            TimerWheel wheel = resources.timers("test", 16, (handle, data) -> expiredAt.set(System.nanoTime()));
            assertTrue(wheel.startAfter(1_500_000_000L, 7) != TimerWheel.NO_TIMER); // due while it sleeps
        };
        QueueDevice device = stack.add(new QueueDevice("q", EngineFixture.MAC_A, stack.pool, 1, 1, true, 100));
        engine = stack.add(new Engine(EngineConfig.workers(1), stack.pool, stack.interfaces, withTimer));
        engine.addInterface(device);
        long started = System.nanoTime();
        engine.start();
        long tid = engine.threads().get(1).threadId();
        await("the worker sleeps", 5_000, () -> engine.loopStats().get(0).sleeps() > 0);

        long cpuBefore = THREADS.getThreadCpuTime(tid);
        long passesBefore = engine.loopStats().get(0).passes();
        Thread.sleep(1000);
        long cpuNanos = THREADS.getThreadCpuTime(tid) - cpuBefore;
        long passes = engine.loopStats().get(0).passes() - passesBefore;
        System.out.printf("idle worker: %.2f ms CPU and %d passes in 1 s%n", cpuNanos / 1e6, passes);
        assertTrue(cpuNanos < 50_000_000L, "idle worker used " + cpuNanos / 1_000_000 + " ms of CPU in 1 s");

        await("the timer fired", 5_000, () -> expiredAt.get() != 0);
        long late = expiredAt.get() - started - 1_500_000_000L;
        assertTrue(late > -1_000_000 && late < 500_000_000L, "timer expired " + late / 1_000_000 + " ms late");

        // A frame wakes the sleeping worker through the device's readiness descriptor.
        await("asleep again", 5_000, () -> isSleeping(tid));
        long wakeupsBefore = engine.loopStats().get(0).wakeups();
        assertTrue(device.inject(0, EngineFixture.frame(stack.cache, 1)));
        await("the frame counted", 5_000, () -> recorder.total() == 1);
        assertTrue(engine.loopStats().get(0).wakeups() > wakeupsBefore);

        // A task wakes it through its doorbell.
        await("asleep again", 5_000, () -> isSleeping(tid));
        long doorbellsBefore = engine.loopStats().get(0).doorbells();
        assertEquals(0, engine.call(0, WorkerView::workerIndex).get(5, TimeUnit.SECONDS));
        assertTrue(engine.loopStats().get(0).doorbells() > doorbellsBefore);
    }

    /** Whether the worker thread waits in the kernel (epoll_wait shows as RUNNABLE in native code: use CPU time). */
    private static boolean isSleeping(long tid) {
        long before = THREADS.getThreadCpuTime(tid);
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return THREADS.getThreadCpuTime(tid) - before < 1_000_000L;
    }
}
