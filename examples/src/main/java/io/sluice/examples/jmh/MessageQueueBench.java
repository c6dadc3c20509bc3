package io.sluice.examples.jmh;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.sluice.session.mq.Doorbell;
import io.sluice.session.mq.MessageHandler;
import io.sluice.session.mq.MessageQueue;
import io.sluice.session.mq.Producers;
import io.sluice.session.mq.QueueLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-message cost of a {@link MessageQueue} on one thread: claim a slot, write two longs, commit, and drain that
 * one message. With {@code wakeups=true} the queue has a doorbell, so each commit pays the store-load fence that
 * checks whether the consumer sleeps (it never does here, so the doorbell never rings).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class MessageQueueBench {

    private static final int SLOTS = 4096;
    private static final int SLOT_SIZE = 64;

    @Param({"false", "true"})
    boolean wakeups;

    @Param({"SINGLE", "MULTIPLE"})
    Producers producers;

    private Arena arena;
    private MessageQueue queue;
    private MemorySegment memory;
    private final Sink sink = new Sink();
    private long sequence;
    /** Times the doorbell rang (stays 0: the consumer never announces a sleep). */
    long rings;

    /** Reads the two longs of each message. */
    static final class Sink implements MessageHandler {
        long sum;

        @Override
        public void onMessage(MemorySegment memory, long offset, int length) {
            sum += memory.get(JAVA_LONG, offset) ^ memory.get(JAVA_LONG, offset + 8);
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        Doorbell doorbell = wakeups ? () -> rings++ : Doorbell.NONE;
        queue = MessageQueue.format(arena.allocate(QueueLayout.footprint(SLOTS, SLOT_SIZE), 64), SLOTS, SLOT_SIZE,
                producers, doorbell);
        memory = queue.memory();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (rings != 0) {
            throw new IllegalStateException("the doorbell rang " + rings + " times with no sleeping consumer");
        }
        arena.close();
    }

    /** One message through: claim, write, commit, drain. */
    @Benchmark
    public long claimCommitDrain() {
        long position = queue.tryClaim();
        long offset = queue.payloadOffset(position);
        long s = sequence++;
        memory.set(JAVA_LONG, offset, s);
        memory.set(JAVA_LONG, offset + 8, ~s);
        queue.commit(position);
        queue.drain(sink, 1);
        return sink.sum;
    }
}
