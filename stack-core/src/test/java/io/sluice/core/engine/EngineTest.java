package io.sluice.core.engine;

import static io.sluice.core.engine.EngineFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.engine.EngineFixture.Recorder;
import io.sluice.core.graph.Graph;
import io.sluice.core.iface.InterfaceTable;
import io.sluice.core.sys.CpuAffinity;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The engine with worker threads on test devices: traffic, hand-off, placement, shared tx queues, close. */
class EngineTest {

    private static final int FRAMES = 20_000;

    private TestStack stack;
    private BufferPool pool;
    private BufferCache cache;
    private InterfaceTable interfaces;
    private Engine engine;
    private QueueDevice a;
    private QueueDevice b;

    @BeforeEach
    void setUp() {
        stack = new TestStack(8192);
        pool = stack.pool;
        cache = stack.cache;
        interfaces = stack.interfaces;
    }

    @AfterEach
    void tearDown() throws Exception {
        stack.close();
    }

    /** Injects frames {@code from} to {@code to} - 1 on {@code queue} in bursts, each burst once the last is sent. */
    private void inject(QueueDevice device, int queue, int from, int to, int burst) throws InterruptedException {
        for (int s = from; s < to; s += burst) {
            long target = device.sent() + Math.min(burst, to - s);
            for (int k = s; k < Math.min(s + burst, to); k++) {
                assertTrue(device.inject(queue, EngineFixture.frame(cache, k)));
            }
            try {
                await("burst from " + s + " sent on " + device.name(), 10_000, () -> device.sent() >= target);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; sent " + device.sent() + " of " + target + "; loops "
                        + engine.loopStats() + "; errors " + errors() + "; " + engine.mesh().describe(0, 1) + "; "
                        + engine.mesh().describe(1, 0), e);
            }
        }
    }

    /**
     * A thread that injects frames {@code from} to {@code to} - 1 on {@code queue} from a cache of its own, keeping
     * at most 2000 more in flight than {@code done} reports finished so the pool does not run dry.
     */
    private Thread feeder(QueueDevice device, int queue, int from, int to, LongSupplier done) {
        Thread thread = new Thread(() -> {
            try (BufferCache own = pool.newCache()) {
                for (int s = from; s < to; s++) {
                    while (s - from - done.getAsLong() > 2000) {
                        Thread.onSpinWait();
                    }
                    if (!device.inject(queue, EngineFixture.frame(own, s))) {
                        throw new IllegalStateException("receive queue full");
                    }
                }
            }
        }, "feeder-" + device.name() + "-" + queue);
        thread.start();
        return thread;
    }

    private List<Object> errors() {
        List<Object> out = new java.util.ArrayList<>();
        for (int w = 0; w < engine.workerCount(); w++) {
            try {
                out.add(engine.call(w, view -> view.graph().errors()).get(2, TimeUnit.SECONDS));
            } catch (Exception e) {
                out.add("worker " + w + ": " + e);
            }
        }
        return out;
    }

    private void assertEverySequenceSentOnce(QueueDevice device, int from, int to) {
        for (int s = from; s < to; s++) {
            assertEquals(1, device.sentCount(s), "frame " + s + " sent on " + device.name());
        }
    }

    private void assertEveryBufferBackAfterClose() throws Exception {
        stack.assertEveryBufferBackAfterClose();
    }

    @Test
    void framesFlowFromDeviceThroughEachWorkersGraphBackToTheDevice() throws Exception {
        Recorder recorder = new Recorder(FRAMES, 2);
        a = stack.add(new QueueDevice("qa", EngineFixture.MAC_A, pool, 1, 2, true, FRAMES));
        b = stack.add(new QueueDevice("qb", EngineFixture.MAC_B, pool, 1, 2, true, FRAMES));
        engine = stack.add(new Engine(EngineConfig.workers(2), pool, interfaces, EngineFixture.stub(recorder,
                EngineFixture.TURN_AROUND)));
        engine.addInterface(a);
        engine.addInterface(b);
        engine.start();

        Thread first = feeder(a, 0, 0, FRAMES / 2, a::sent);
        Thread second = feeder(b, 0, FRAMES / 2, FRAMES, b::sent);
        first.join(20_000);
        second.join(20_000);
        await("all frames sent", 20_000, () -> a.sent() + b.sent() == FRAMES);

        assertEverySequenceSentOnce(a, 0, FRAMES / 2);
        assertEverySequenceSentOnce(b, FRAMES / 2, FRAMES);
        assertEquals(FRAMES / 2, recorder.perWorker.get(0), "interface qa is placed on worker 0");
        assertEquals(FRAMES / 2, recorder.perWorker.get(1), "interface qb is placed on worker 1");
        assertEquals(0, a.overlappingTransmits() + b.overlappingTransmits());
        List<Graph.NodeRuntime> runtime = engine.call(1, view -> view.graph().runtime()).get(5, TimeUnit.SECONDS);
        Graph.NodeRuntime input = runtime.stream().filter(r -> r.name().equals(DeviceInputNode.NAME)).findFirst()
                .orElseThrow();
        assertEquals(FRAMES / 2, input.vectors(), "worker 1's device-input read qb's frames");
        assertEveryBufferBackAfterClose();
    }

    @Test
    void handOffToTheOtherWorkerAndBackLosesNothingAndRecyclesFrames() throws Exception {
        Recorder[] perHop = {new Recorder(FRAMES, 2), new Recorder(FRAMES, 2), new Recorder(FRAMES, 2)};
        a = stack.add(new QueueDevice("qa", EngineFixture.MAC_A, pool, 1, 1, true, FRAMES));
        // Bursts of 16 frames and 16 hand-off frames per worker pair: a burst cannot run the pair out of frames,
        // and the 1250 bursts pass only if the hand-off frames come back and are used again.
        Recorder turnedAround = new Recorder(FRAMES, 2);
        engine = stack.add(new Engine(EngineConfig.workers(2).withHandoffFramesPerPair(16), pool, interfaces,
                EngineFixture.stub(turnedAround, EngineFixture.hopThenTurnAround(2, perHop))));
        engine.addInterface(a);
        engine.start();

        inject(a, 0, 0, FRAMES, 16);

        assertEverySequenceSentOnce(a, 0, FRAMES);
        assertEquals(FRAMES, perHop[0].perWorker.get(0), "received on worker 0");
        assertEquals(FRAMES, perHop[1].perWorker.get(1), "handed off to worker 1");
        assertEquals(FRAMES, perHop[2].perWorker.get(0), "handed back to worker 0");
        assertEquals(FRAMES, turnedAround.perWorker.get(0), "sent by worker 0");
        assertEquals(List.of(), engine.call(0, view -> view.graph().errors()).get(5, TimeUnit.SECONDS));
        assertEquals(List.of(), engine.call(1, view -> view.graph().errors()).get(5, TimeUnit.SECONDS));
        assertEveryBufferBackAfterClose();
    }

    @Test
    void aFullHandoffQueueIsACountedDrop() throws Exception {
        Recorder[] perHop = {new Recorder(FRAMES, 2), new Recorder(FRAMES, 2), new Recorder(FRAMES, 2)};
        a = stack.add(new QueueDevice("qa", EngineFixture.MAC_A, pool, 1, 1, true, FRAMES));
        engine = stack.add(new Engine(EngineConfig.workers(2).withHandoffFramesPerPair(1), pool, interfaces,
                EngineFixture.stub(new Recorder(FRAMES, 2), EngineFixture.hopThenTurnAround(1, perHop))));
        engine.addInterface(a);
        // Worker 1 is kept busy in a task while worker 0 hands off more than one frame's worth.
        engine.start();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        var blocked = engine.call(1, view -> {
            try {
                return release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        int total = 600;
        for (int s = 0; s < total; s++) {
            assertTrue(a.inject(0, EngineFixture.frame(cache, s)));
        }
        await("worker 0 read every frame", 10_000, () -> perHop[0].total() == total);
        release.countDown();
        assertTrue(blocked.get(10, TimeUnit.SECONDS));
        long dropped = engine.call(0, view -> view.graph().errors()).get(5, TimeUnit.SECONDS).stream()
                .filter(e -> e.symbol().equals("handoff-queue-full")).mapToLong(Graph.ErrorCount::count).sum();
        await("the handed-off frames sent", 10_000, () -> a.sent() + dropped == total);
        assertTrue(dropped >= total - 256, "one frame of 256 fits in flight; dropped " + dropped);
        assertEveryBufferBackAfterClose();
    }

    @Test
    void placementIsRoundRobinAndMovesWithTrafficRunningWithoutLossOrDuplicates() throws Exception {
        Recorder recorder = new Recorder(FRAMES, 2);
        a = stack.add(new QueueDevice("multi", EngineFixture.MAC_A, pool, 2, 2, true, FRAMES));
        b = stack.add(new QueueDevice("single", EngineFixture.MAC_B, pool, 1, 1, false, FRAMES));
        engine = stack.add(new Engine(EngineConfig.workers(2), pool, interfaces, EngineFixture.stub(recorder,
                EngineFixture.CONSUME)));
        engine.addInterface(a);
        engine.start();
        engine.addInterface(b); // added while running: the round-robin goes on
        assertEquals(List.of(
                new RxPlacement(new RxQueue(0, "multi", 0), 0),
                new RxPlacement(new RxQueue(0, "multi", 1), 1),
                new RxPlacement(new RxQueue(1, "single", 0), 0)), engine.rxPlacement());

        assertEquals("no interface named 'nope' (interfaces: multi, single)", assertThrows(
                IllegalArgumentException.class, () -> engine.setRxPlacement("nope", 0, 0)).getMessage());
        assertEquals("interface multi has receive queues 0 to 1, not 2", assertThrows(
                IllegalArgumentException.class, () -> engine.setRxPlacement("multi", 2, 0)).getMessage());
        assertEquals("no worker 2: the engine runs 2 workers (0 to 1)", assertThrows(
                IllegalArgumentException.class, () -> engine.setRxPlacement("single", 0, 2)).getMessage());

        // First half: the queue moves back and forth while the feeder runs.
        int half = FRAMES / 2;
        Thread feeder = feeder(b, 0, 0, half, recorder::total);
        for (int move = 0; move < 20 && feeder.isAlive(); move++) {
            engine.setRxPlacement("single", 0, (move + 1) % 2);
            assertEquals((move + 1) % 2, engine.rxPlacement().get(2).worker());
            int worker = (move + 1) % 2;
            assertEquals(List.of(new RxQueue(1, "single", 0)), engine.call(worker, view -> view.rxQueues().stream()
                    .filter(q -> q.interfaceName().equals("single")).toList()).get(5, TimeUnit.SECONDS));
            Thread.sleep(2);
        }
        feeder.join(20_000);
        await("the first half counted", 20_000, () -> recorder.total() == half);
        // Second half on the worker that served less (a fast feeder may finish the first half before a move).
        int quieter = recorder.perWorker.get(0) <= recorder.perWorker.get(1) ? 0 : 1;
        engine.setRxPlacement("single", 0, quieter);
        assertEquals(List.of(new RxQueue(1, "single", 0)), engine.call(quieter, view -> view.rxQueues().stream()
                .filter(q -> q.interfaceName().equals("single")).toList()).get(5, TimeUnit.SECONDS));
        feeder = feeder(b, 0, half, FRAMES, () -> recorder.total() - half);
        feeder.join(20_000);
        await("every frame counted", 20_000, () -> recorder.total() == FRAMES);
        for (int s = 0; s < FRAMES; s++) {
            assertEquals(1, recorder.seenBySequence.get(s), "frame " + s + " counted once");
        }
        assertTrue(recorder.perWorker.get(0) > 0 && recorder.perWorker.get(1) > 0,
                "both workers served the queue: " + recorder.perWorker);
        assertEveryBufferBackAfterClose();
    }

    @Test
    void workersShareTheOnlyTransmitQueueOfADeviceUnderItsLock() throws Exception {
        Recorder recorder = new Recorder(FRAMES, 2);
        a = stack.add(new QueueDevice("shared", EngineFixture.MAC_A, pool, 2, 1, true, FRAMES));
        engine = stack.add(new Engine(EngineConfig.workers(2), pool, interfaces, EngineFixture.stub(recorder,
                EngineFixture.TURN_AROUND)));
        engine.addInterface(a);
        engine.start();

        Thread first = feeder(a, 0, 0, FRAMES / 2, () -> recorder.perWorker.get(0));
        Thread second = feeder(a, 1, FRAMES / 2, FRAMES, () -> recorder.perWorker.get(1));
        first.join(20_000);
        second.join(20_000);
        await("all frames sent", 20_000, () -> a.sent() == FRAMES);
        assertEverySequenceSentOnce(a, 0, FRAMES);
        assertEquals(FRAMES / 2, recorder.perWorker.get(0));
        assertEquals(FRAMES / 2, recorder.perWorker.get(1));
        assertEquals(0, a.overlappingTransmits(), "two workers were inside transmit on the one queue at once");
        assertEveryBufferBackAfterClose();
    }

    @Test
    void transmitQueuesAreLockedOnlyWhenShared() {
        TransmitQueues queues = new TransmitQueues(3);
        a = stack.add(new QueueDevice("one", EngineFixture.MAC_A, pool, 1, 1, false, 1));
        b = stack.add(new QueueDevice("two", EngineFixture.MAC_B, pool, 1, 2, false, 1));
        QueueDevice three = stack.add(new QueueDevice("three", EngineFixture.MAC_B, pool, 1, 3, false, 1));
        queues.register(0, a);
        queues.register(1, b);
        queues.register(2, three);
        assertTrue(queues.lock(0, 0) != null, "3 workers on 1 queue");
        assertTrue(queues.lock(1, 0) != null, "workers 0 and 2 on queue 0 of 2");
        assertNull(queues.lock(1, 1), "worker 1 alone on queue 1 of 2");
        for (int q = 0; q < 3; q++) {
            assertNull(queues.lock(2, q), "a queue per worker");
        }
    }

    @Test
    void closeFreesBuffersStillInFlightBetweenWorkers() throws Exception {
        a = stack.add(new QueueDevice("qa", EngineFixture.MAC_A, pool, 1, 1, true, FRAMES));
        engine = stack.add(new Engine(EngineConfig.workers(2), pool, interfaces,
                EngineFixture.stub(new Recorder(FRAMES, 2), EngineFixture.hopThenTurnAround(40, perHop(41)))));
        engine.addInterface(a);
        engine.start();
        for (int s = 0; s < 3000; s++) {
            assertTrue(a.inject(0, EngineFixture.frame(cache, s)));
        }
        Thread.sleep(5); // close while frames bounce between the workers, some still in the device
        assertEveryBufferBackAfterClose();
    }

    private static Recorder[] perHop(int hops) {
        Recorder[] out = new Recorder[hops];
        for (int i = 0; i < hops; i++) {
            out[i] = new Recorder(FRAMES, 2);
        }
        return out;
    }

    private static final int POISONED = 100;

    @Test
    void aNodeThatThrowsIsLoggedAndCountedAndTheWorkerGoesOn() throws Exception {
        Recorder recorder = new Recorder(FRAMES, 1);
        a = stack.add(new QueueDevice("qa", EngineFixture.MAC_A, pool, 1, 1, true, FRAMES));
        engine = stack.add(new Engine(EngineConfig.workers(1), pool, interfaces, EngineFixture.stub(recorder,
                (node, ctx, buffer) -> {
                    int sequence = EngineFixture.sequence(ctx.pool(), buffer);
                    EngineFixture.CONSUME.handle(node, ctx, buffer);
                    if (sequence < POISONED) {
                        throw new IllegalStateException("test bug in a node");
                    }
                })));
        engine.addInterface(a);
        engine.start();
        // More throws than the graph has frames: each throwing node's frame must go back to the graph's pool.
        for (int s = 0; s < POISONED; s++) {
            int failures = s + 1;
            assertTrue(a.inject(0, EngineFixture.frame(cache, s)));
            await("failure " + failures + " counted", 10_000, () -> engine.loopStats().get(0).failures() == failures);
        }
        for (int s = POISONED; s < 1000; s++) {
            assertTrue(a.inject(0, EngineFixture.frame(cache, s)));
        }
        await("later frames counted", 10_000, () -> recorder.total() == 1000);
        assertEquals(0, engine.call(0, view -> view.graph().runtime()).get(5, TimeUnit.SECONDS).stream()
                .mapToLong(Graph.NodeRuntime::noFrameDrops).sum(), "no frame lost to the throws");
        EngineThread worker = engine.threads().get(1);
        assertTrue(worker.state() != Thread.State.TERMINATED, "the worker is alive");
        assertTrue(worker.osThreadId() > 0 && worker.osThreadId() != CpuAffinity.currentThreadId(),
                "a thread of its own: " + worker);
        assertEveryBufferBackAfterClose();
    }

    @Test
    void aWorkerThatCannotBuildItsGraphFailsStartNamingIt() {
        engine = stack.add(new Engine(EngineConfig.workers(2), pool, interfaces, (builder, resources) -> {
            if (resources.workerIndex() == 1) {
                throw new IllegalArgumentException("no ethernet-input here");
            }
            EngineFixture.stub(new Recorder(1, 2), EngineFixture.CONSUME).addNodes(builder, resources);
        }));
        IllegalStateException e = assertThrows(IllegalStateException.class, engine::start);
        assertEquals("worker 1 did not start: java.lang.IllegalArgumentException: no ethernet-input here",
                e.getMessage());
        assertEquals(stack.freeAtStart, pool.buffersFree(), "worker 0 stopped and gave its buffers back");
        assertEquals("the engine is closed", assertThrows(java.util.concurrent.ExecutionException.class,
                () -> engine.call(0, WorkerView::workerIndex).get(5, TimeUnit.SECONDS)).getCause().getMessage());
    }
}
