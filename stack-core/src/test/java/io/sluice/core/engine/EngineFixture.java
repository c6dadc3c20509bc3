package io.sluice.core.engine;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.graph.Frame;
import io.sluice.core.graph.Node;
import io.sluice.core.graph.NodeContext;
import io.sluice.core.graph.NodeError;
import io.sluice.core.wire.Ethernet;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;

/**
 * Test frames and stub "ethernet-input" nodes for the engine tests. A test frame is a 60-byte Ethernet frame with a
 * sequence number (native order) right after the header. Opaque bytes 0 to 3 carry the receive queue a
 * {@link QueueDevice} read the frame from, bytes 4 to 7 the hops a frame has made between workers.
 */
final class EngineFixture {

    static final long MAC_A = 0x02_5c_00_00_00_0aL;
    static final long MAC_B = 0x02_5c_00_00_00_0bL;
    static final int FRAME_LENGTH = 60;
    static final int QUEUE_MARK_OFFSET = 0;
    static final int HOPS_OFFSET = 4;
    private static final int EXPERIMENTAL_ETHER_TYPE = 0x88b5;

    private EngineFixture() {
    }

    /** A new test frame with {@code sequence}, from {@code cache}. */
    static int frame(BufferCache cache, int sequence) {
        BufferPool pool = cache.pool();
        int buffer = cache.allocate();
        if (buffer == BufferPool.NO_BUFFER) {
            throw new IllegalStateException("test pool exhausted");
        }
        long data = pool.dataOffset(buffer);
        Ethernet.emit(pool.memory(), data, MAC_A, MAC_B, EXPERIMENTAL_ETHER_TYPE);
        pool.memory().set(JAVA_INT_UNALIGNED, data + Ethernet.HEADER_LENGTH, sequence);
        pool.setCurrentLength(buffer, FRAME_LENGTH);
        return buffer;
    }

    /** The sequence number of a test frame. */
    static int sequence(BufferPool pool, int buffer) {
        return pool.memory().get(JAVA_INT_UNALIGNED, pool.dataOffset(buffer) + Ethernet.HEADER_LENGTH);
    }

    static int opaque(BufferPool pool, int buffer, int offset) {
        return pool.memory().get(JAVA_INT, pool.opaqueOffset(buffer) + offset);
    }

    static void setOpaque(BufferPool pool, int buffer, int offset, int value) {
        pool.memory().set(JAVA_INT, pool.opaqueOffset(buffer) + offset, value);
    }

    /** Waits until {@code condition} holds, at most {@code millis}; fails with {@code what} otherwise. */
    static void await(String what, long millis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + millis + " ms waiting for " + what);
            }
            Thread.sleep(1);
        }
    }

    /** What stub nodes saw: per sequence how often, and per worker how many. Allocation-free to record. */
    static final class Recorder {
        final AtomicIntegerArray seenBySequence;
        final AtomicIntegerArray lastWorkerBySequence;
        final AtomicLongArray perWorker;
        final AtomicLongArray wrongQueue;

        Recorder(int maxSequence, int workers) {
            seenBySequence = new AtomicIntegerArray(maxSequence);
            lastWorkerBySequence = new AtomicIntegerArray(maxSequence);
            perWorker = new AtomicLongArray(workers);
            wrongQueue = new AtomicLongArray(workers);
        }

        void record(int worker, BufferPool pool, int buffer) {
            int sequence = sequence(pool, buffer);
            if (sequence >= 0 && sequence < seenBySequence.length()) {
                seenBySequence.incrementAndGet(sequence);
                lastWorkerBySequence.set(sequence, worker);
            }
            perWorker.incrementAndGet(worker);
        }

        long total() {
            long n = 0;
            for (int i = 0; i < perWorker.length(); i++) {
                n += perWorker.get(i);
            }
            return n;
        }
    }

    /** What a stub ethernet-input does with each buffer. */
    interface Action {
        void handle(StubEthernetInput node, NodeContext ctx, int buffer);
    }

    /** Sends the frame back out of the interface it came in on, MACs swapped. */
    static final Action TURN_AROUND = (node, ctx, buffer) -> {
        BufferPool pool = ctx.pool();
        node.recorder.record(node.worker, pool, buffer);
        Ethernet.turnIntoReply(pool.memory(), pool.dataOffset(buffer), MAC_A);
        pool.setTxInterface(buffer, pool.rxInterface(buffer));
        ctx.enqueue(StubEthernetInput.TO_OUTPUT, buffer);
    };

    /** Counts and drops the frame. */
    static final Action CONSUME = (node, ctx, buffer) -> {
        node.recorder.record(node.worker, ctx.pool(), buffer);
        ctx.drop(buffer, StubEthernetInput.CONSUMED);
    };

    /**
     * Hands the frame to the next worker {@code hops} times (recording on every worker it reaches), then turns it
     * around on the worker it has reached.
     */
    static Action hopThenTurnAround(int hops, Recorder[] perHop) {
        return (node, ctx, buffer) -> {
            BufferPool pool = ctx.pool();
            int hop = opaque(pool, buffer, HOPS_OFFSET);
            perHop[hop].record(node.worker, pool, buffer);
            if (hop == hops) {
                TURN_AROUND.handle(node, ctx, buffer);
                return;
            }
            setOpaque(pool, buffer, HOPS_OFFSET, hop + 1);
            Handoff.setTargetWorker(pool, buffer, (node.worker + 1) % node.workers);
            ctx.enqueue(StubEthernetInput.TO_HANDOFF, buffer);
        };
    }

    /** A graph factory whose ethernet-input applies {@code action}. */
    static GraphFactory stub(Recorder recorder, Action action) {
        return (builder, resources) -> builder.add(DeviceInputNode.NEXT_NODE, () -> new StubEthernetInput(
                resources.workerIndex(), resources.workerCount(), recorder, action));
    }

    /** The "ethernet-input" of the tests. */
    static final class StubEthernetInput extends Node {
        static final int TO_OUTPUT = 0;
        static final int TO_HANDOFF = 1;
        static final int CONSUMED = 0;

        final int worker;
        final int workers;
        final Recorder recorder;
        private final Action action;

        StubEthernetInput(int worker, int workers, Recorder recorder, Action action) {
            super(DeviceInputNode.NEXT_NODE, List.of(InterfaceOutputNode.NAME, HandoffNode.NAME),
                    List.of(new NodeError("consumed", "frame counted and dropped by the test")));
            this.worker = worker;
            this.workers = workers;
            this.recorder = recorder;
            this.action = action;
        }

        @Override
        public void process(NodeContext ctx, Frame frame) {
            int[] buffers = frame.buffers();
            for (int i = 0; i < frame.count(); i++) {
                action.handle(this, ctx, buffers[i]);
            }
        }
    }
}
