package io.sluice.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.engine.EngineFixture.Recorder;
import io.sluice.core.graph.Graph;
import io.sluice.core.phy.LoopbackDevice;
import io.sluice.core.sys.CpuAffinity;
import io.sluice.core.util.AllocationMeter;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Single-thread mode: the thread that starts the engine runs the graph; and the loop's allocation-free pass. */
class SingleThreadEngineTest {

    private TestStack stack;
    private BufferPool pool;
    private BufferCache cache;
    private Engine engine;

    @BeforeEach
    void setUp() {
        stack = new TestStack(4096);
        pool = stack.pool;
        cache = stack.cache;
    }

    @AfterEach
    void tearDown() throws Exception {
        stack.close();
    }

    @Test
    void theStartingThreadRunsTheGraphAndAnswersTasksFromOtherThreads() throws Exception {
        Recorder recorder = new Recorder(1000, 1);
        QueueDevice device = stack.add(new QueueDevice("q", EngineFixture.MAC_A, pool, 1, 1, true, 1000));
        engine = stack.add(new Engine(EngineConfig.singleThreadMode(), pool, stack.interfaces,
                EngineFixture.stub(recorder, EngineFixture.TURN_AROUND)));
        engine.addInterface(device);
        engine.start();
        assertEquals(List.of(new EngineThread(Thread.currentThread().getName(), "main", 0, -1,
                Thread.currentThread().threadId(), CpuAffinity.currentThreadId(), Thread.State.RUNNABLE)),
                engine.threads());

        for (int s = 0; s < 1000; s++) {
            assertTrue(device.inject(0, EngineFixture.frame(cache, s)));
        }
        for (int pass = 0; pass < 10_000 && device.sent() < 1000; pass++) {
            engine.runOnce();
        }
        assertEquals(1000, device.sent());
        assertEquals(1000, recorder.perWorker.get(0));

        // A task from another thread runs when the loop next passes; on the loop's own thread at once.
        CompletableFuture<List<Graph.NodeRuntime>> runtime = CompletableFuture.supplyAsync(
                () -> engine.call(0, view -> view.graph().runtime())).get(5, TimeUnit.SECONDS);
        for (int pass = 0; pass < 10_000 && !runtime.isDone(); pass++) {
            engine.runOnce();
        }
        assertTrue(runtime.get().stream().anyMatch(r -> r.name().equals(DeviceInputNode.NAME)
                && r.vectors() == 1000));
        assertEquals(0, engine.call(0, WorkerView::workerIndex).getNow(-1));

        assertEquals("runOnce must be called by the thread that started the engine", assertThrows(
                java.util.concurrent.ExecutionException.class, () -> CompletableFuture.runAsync(engine::runOnce)
                        .get(5, TimeUnit.SECONDS)).getCause().getMessage());
        stack.assertEveryBufferBackAfterClose();
    }

    @Test
    void aGraphThatDoesNotBuildFailsStart() {
        engine = stack.add(new Engine(EngineConfig.singleThreadMode(), pool, stack.interfaces, (builder, r) -> {
        }));
        String message = assertThrows(IllegalStateException.class, engine::start).getMessage();
        assertTrue(message.startsWith("the graph did not build: java.lang.IllegalArgumentException: node "
                + "'device-input' sends to 'ethernet-input', which is not in the graph"), message);
    }

    @Test
    void runOnceIsForSingleThreadModeOnly() {
        engine = stack.add(new Engine(EngineConfig.workers(1), pool, stack.interfaces,
                EngineFixture.stub(new Recorder(1, 1), EngineFixture.CONSUME)));
        assertEquals("runOnce is for single-thread mode; this engine runs 1 worker threads", assertThrows(
                IllegalStateException.class, engine::runOnce).getMessage());
    }

    /**
     * Frames circulate for ever through a loopback device: device-input, a turn-around ethernet-input,
     * interface-output, back into the device. A warm loop pass with traffic allocates nothing.
     */
    @Test
    void aLoopPassWithTrafficAllocatesNothing() throws Exception {
        Recorder recorder = new Recorder(1, 1);
        LoopbackDevice loopback = stack.add(new LoopbackDevice("lo", EngineFixture.MAC_A, 1500, 1024));
        engine = stack.add(new Engine(EngineConfig.singleThreadMode(), pool, stack.interfaces,
                EngineFixture.stub(recorder, EngineFixture.TURN_AROUND)));
        int ifIndex = engine.addInterface(loopback).index();
        engine.start();
        int[] frames = new int[512];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = EngineFixture.frame(cache, 5);
            pool.setTxInterface(frames[i], ifIndex);
        }
        assertEquals(frames.length, loopback.transmit(0, 0, cache, frames, 0, frames.length));

        long bytes = AllocationMeter.allocatedInSteadyState(() -> {
            for (int pass = 0; pass < 100; pass++) {
                engine.runOnce();
            }
        });
        assertEquals(0, bytes, "bytes allocated by 100 loop passes with 512 frames circulating");
        assertTrue(recorder.total() > 100_000, "frames went round: " + recorder.total());
        // runOnce runs the graph to completion: between passes every frame is back in the device.
        assertEquals(frames.length, loopback.framesQueued(), "no frame lost");
        stack.assertEveryBufferBackAfterClose();
    }

    /**
     * Every way the engine's nodes refuse a frame is a named drop: a down receive interface, an unknown or down
     * transmit interface, a hand-off to a worker that does not exist. A hand-off to the worker itself is delivered
     * locally.
     */
    @Test
    void refusedFramesAreNamedDrops() throws Exception {
        Recorder recorder = new Recorder(100, 1);
        QueueDevice a = stack.add(new QueueDevice("a", EngineFixture.MAC_A, pool, 1, 1, true, 100));
        QueueDevice b = stack.add(new QueueDevice("b", EngineFixture.MAC_B, pool, 1, 1, true, 100));
        engine = stack.add(new Engine(EngineConfig.singleThreadMode(), pool, stack.interfaces,
                EngineFixture.stub(recorder, (node, ctx, buffer) -> {
                    BufferPool p = ctx.pool();
                    switch (EngineFixture.sequence(p, buffer)) {
                        case 10 -> {
                            p.setTxInterface(buffer, 7);
                            ctx.enqueue(EngineFixture.StubEthernetInput.TO_OUTPUT, buffer);
                        }
                        case 11 -> {
                            p.setTxInterface(buffer, 1);
                            ctx.enqueue(EngineFixture.StubEthernetInput.TO_OUTPUT, buffer);
                        }
                        case 12 -> {
                            Handoff.setTargetWorker(p, buffer, 5);
                            ctx.enqueue(EngineFixture.StubEthernetInput.TO_HANDOFF, buffer);
                        }
                        default -> EngineFixture.hopThenTurnAround(1, new Recorder[] {recorder, recorder})
                                .handle(node, ctx, buffer);
                    }
                })));
        engine.addInterface(a).setAdminUp(false);
        engine.addInterface(b).setAdminUp(false);
        engine.start();
        for (int s = 0; s < 3; s++) {
            assertTrue(a.inject(0, EngineFixture.frame(cache, s)));
        }
        runPasses(5);
        assertEquals(List.of(new Graph.ErrorCount(DeviceInputNode.NAME, "interface-down",
                "frame received on an interface that is administratively down", 3)), errors());

        stack.interfaces.get(0).setAdminUp(true);
        engine.call(0, view -> {
            view.graph().clearCounters();
            return null;
        });
        for (int s = 10; s < 14; s++) {
            assertTrue(a.inject(0, EngineFixture.frame(cache, s)));
        }
        runPasses(5);
        assertEquals(List.of(
                new Graph.ErrorCount(InterfaceOutputNode.NAME, "unknown-interface",
                        "frame for a transmit interface that does not exist", 1),
                new Graph.ErrorCount(InterfaceOutputNode.NAME, "interface-down",
                        "frame for an interface that is administratively down", 1),
                new Graph.ErrorCount(HandoffNode.NAME, "handoff-bad-worker",
                        "hand-off to a worker that does not exist", 1)), errors());
        assertEquals(1, a.sentCount(13), "handed off to its own worker, then sent");
        stack.assertEveryBufferBackAfterClose();
    }

    private void runPasses(int passes) {
        for (int i = 0; i < passes; i++) {
            engine.runOnce();
        }
    }

    private List<Graph.ErrorCount> errors() throws Exception {
        return engine.call(0, view -> view.graph().errors()).get(5, TimeUnit.SECONDS);
    }
}
