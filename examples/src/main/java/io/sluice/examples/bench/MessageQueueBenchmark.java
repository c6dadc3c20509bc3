package io.sluice.examples.bench;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.sluice.core.util.AllocationMeter;
import io.sluice.session.mq.Doorbell;
import io.sluice.session.mq.MessageHandler;
import io.sluice.session.mq.MessageQueue;
import io.sluice.session.mq.Producers;
import io.sluice.session.mq.QueueLayout;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.SpscArrayQueue;

/**
 * {@code bench mq}: events per second through one {@link MessageQueue} (4096 slots of 16 bytes: the sequence word
 * and one 8-byte event word, the size of an IO event), one producer thread and one consumer thread; each event
 * carries its sequence number, which the consumer checks, so order and content are verified on every event.
 * Contenders:
 * <ul>
 *   <li>{@code sluice}: a queue formatted for a single producer, the consumer busy-polls ({@link Doorbell#NONE}, so
 *       the producer skips the wakeup fence);</li>
 *   <li>{@code sluice-wakeup}: the same queue; the consumer spins briefly when it is empty, then announces its
 *       sleep ({@link MessageQueue#prepareToSleep()}) and waits on an eventfd that the queue's doorbell writes;</li>
 *   <li>{@code sluice-mp}: a queue formatted for several producers (a compare-and-set per claim), one posting;</li>
 *   <li>{@code jctools-spsc}: the in-process baseline, a JCTools {@link SpscArrayQueue} of the same capacity
 *       carrying pre-boxed {@link Long}s (no allocation per event), drained in batches of the same size.</li>
 * </ul>
 */
public final class MessageQueueBenchmark implements Benchmark {

    static final int SLOTS = 4096;
    static final int SLOT_SIZE = 16;
    /** Messages handed to the handler per drain call, for Sluice and JCTools alike. */
    static final int DRAIN_LIMIT = 256;
    /** Producers look at the stop flag once per this many attempts. */
    static final int PRODUCER_BATCH = 64;
    /** Empty polls the waking consumer makes before it sleeps (the short bounded spin of the design). */
    static final int SPINS_BEFORE_SLEEP = 100;
    /** A sleeping consumer wakes after this long even without a signal (a safety net, not a mechanism). */
    static final long SLEEP_TIMEOUT_NANOS = 1_000_000;

    @Override
    public String name() {
        return "mq";
    }

    @Override
    public String summary() {
        return "Mevents/s through a shared-memory message queue (polling and with wakeups) vs JCTools SPSC";
    }

    @Override
    public int run(BenchOptions options, PrintStream out) throws Exception {
        out.println("bench mq: " + SLOTS + " slots of " + SLOT_SIZE
                + " B (one 8-byte word per event, the size of an IO event), drains of up to "
                + DRAIN_LIMIT + "; " + options);
        out.println("bench mq: " + Rounds.Side.describe());
        Rounds.meterOverhead(); // loads the allocation meter before anything is counted
        try (Arena arena = Arena.ofShared()) {
            SluiceQueue polling = new SluiceQueue(arena, Producers.SINGLE, false);
            SluiceQueue waking = new SluiceQueue(arena, Producers.SINGLE, true);
            SluiceQueue multi = new SluiceQueue(arena, Producers.MULTIPLE, false);
            JctoolsSpsc jctools = new JctoolsSpsc();
            double[] medians = Rounds.run(List.of(polling, waking, multi, jctools), options, out, "Mevents/s", 1e6);
            boolean ok = polling.report(out) & waking.report(out) & multi.report(out) & jctools.report(out);
            double x = medians[0] / 1e6;
            double w = medians[1] / 1e6;
            double m = medians[2] / 1e6;
            double y = medians[3] / 1e6;
            out.printf(Locale.ROOT, "bench mq: sluice-mp %.2f Mevents/s (a queue formatted for several producers, one"
                    + " posting: a compare-and-set per claim)%n", m);
            out.printf(Locale.ROOT, "bench mq: sluice-wakeup %.2f Mevents/s, %d doorbell wakeups in %d sleeps (%s,"
                    + " spin %d polls before sleeping)%n", w, waking.doorbellRings, waking.sleeps, waking.wakeupKind,
                    SPINS_BEFORE_SLEEP);
            out.printf(Locale.ROOT, "targets: sluice/jctools-spsc %.2f (target >= 0.50)%n", x / y);
            out.printf(Locale.ROOT, "bench mq: sluice %.2f Mevents/s, jctools-spsc %.2f Mevents/s, ratio %.2f%n",
                    x, y, x / y);
            return ok ? 0 : 1;
        }
    }

    /** Counts and checks events on the consumer's thread: each carries its sequence number. */
    static final class Checker implements MessageHandler {
        long count;
        long errors;

        @Override
        public void onMessage(MemorySegment memory, long offset, int length) {
            long sequence = memory.get(JAVA_LONG, offset);
            if (sequence != count) {
                errors++;
            }
            count++;
        }
    }

    /** Allocation totals of every round but the first (which includes the JIT's warm-up). */
    static final class AllocationTally {
        private int round;
        long producerBytes;
        long producerOps;
        long consumerBytes;
        long consumerOps;
        long roundProducerBytes;
        long roundProducerOps;
        long roundConsumerBytes;
        long roundConsumerOps;

        void endRound() {
            if (round++ > 0) {
                producerBytes += roundProducerBytes;
                producerOps += roundProducerOps;
                consumerBytes += roundConsumerBytes;
                consumerOps += roundConsumerOps;
            }
        }

        String format() {
            return String.format(Locale.ROOT, "producer %.3f B/event over %d, consumer %.3f B/event over %d",
                    perOp(producerBytes, producerOps), producerOps, perOp(consumerBytes, consumerOps), consumerOps);
        }

        private static double perOp(long bytes, long ops) {
            return ops == 0 ? 0 : Math.max(0, bytes) / (double) ops;
        }
    }

    /** The Sluice queue, polling or sleeping; formatted anew each round (the doorbell names that round's thread). */
    static final class SluiceQueue implements Contender {

        private final MemorySegment region;
        private final Producers producers;
        private final boolean withWakeups;
        private final Checker checker = new Checker();
        private final ProgressCounter progress = new ProgressCounter();
        private final AllocationTally allocation = new AllocationTally();
        private MessageQueue queue;
        private Wakeup wakeup;
        private volatile boolean stop;
        private volatile boolean producerDone;
        private long sent; // written by the producer before producerDone
        long sleeps;
        long doorbellRings;
        String wakeupKind = "none";

        SluiceQueue(Arena arena, Producers producers, boolean withWakeups) {
            this.region = arena.allocate(QueueLayout.footprint(SLOTS, SLOT_SIZE), 64);
            this.producers = producers;
            this.withWakeups = withWakeups;
        }

        @Override
        public String name() {
            return (producers == Producers.MULTIPLE ? "sluice-mp" : "sluice") + (withWakeups ? "-wakeup" : "");
        }

        @Override
        public double measure(double seconds) throws Exception {
            stop = false;
            producerDone = false;
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread consumer = Rounds.unstarted(name() + "-consumer", Rounds.Side.READER, failure, this::consume);
            Doorbell doorbell = Doorbell.NONE;
            if (withWakeups) {
                Wakeup w = Wakeup.forWaiter(consumer);
                wakeup = w;
                wakeupKind = w.toString();
                doorbell = w::signal;
            }
            queue = MessageQueue.format(region, SLOTS, SLOT_SIZE, producers, doorbell);
            consumer.start();
            Thread producer = Rounds.start(name() + "-producer", Rounds.Side.WRITER, failure, this::produce);
            double rate = Rounds.sampleRate(progress, seconds);
            stop = true;
            try {
                Rounds.join(failure, producer, consumer);
            } finally {
                if (wakeup != null) {
                    wakeup.close();
                }
            }
            doorbellRings += queue.wakeupCount();
            allocation.endRound();
            return rate;
        }

        private void produce() {
            long overhead = Rounds.meterOverhead();
            long allocatedBefore = AllocationMeter.allocatedBytes();
            MessageQueue q = queue;
            MemorySegment memory = q.memory();
            long sequence = sent;
            long first = sequence;
            while (!stop) {
                for (int i = 0; i < PRODUCER_BATCH; i++) {
                    long position = q.tryClaim();
                    if (position == MessageQueue.FULL) {
                        q.notifyConsumer(); // what this batch published so far must not wait for a sleeper
                        Thread.onSpinWait();
                        continue;
                    }
                    long offset = q.payloadOffset(position);
                    memory.set(JAVA_LONG, offset, sequence);
                    q.publish(position);
                    sequence++;
                }
                // One sleep check per batch, as a stack worker posts the events of a vector and then checks once.
                q.notifyConsumer();
            }
            allocation.roundProducerBytes = AllocationMeter.allocatedBytes() - allocatedBefore - overhead;
            allocation.roundProducerOps = sequence - first;
            sent = sequence;
            producerDone = true;
            if (withWakeups) {
                wakeup.signal(); // the consumer may be asleep with nothing more to come
            }
        }

        private void consume() {
            long overhead = Rounds.meterOverhead();
            long allocatedBefore = AllocationMeter.allocatedBytes();
            MessageQueue q = queue;
            Checker handler = checker;
            long first = handler.count;
            long roundSleeps = 0;
            int idle = 0;
            while (true) {
                int n = q.drain(handler, DRAIN_LIMIT);
                if (n > 0) {
                    progress.set(handler.count);
                    idle = 0;
                    continue;
                }
                if (producerDone && handler.count == sent) {
                    break;
                }
                if (!withWakeups || ++idle < SPINS_BEFORE_SLEEP) {
                    Thread.onSpinWait();
                    continue;
                }
                idle = 0;
                if (q.prepareToSleep()) {
                    roundSleeps++;
                    wakeup.await(SLEEP_TIMEOUT_NANOS);
                    q.cancelSleep();
                }
            }
            allocation.roundConsumerBytes = AllocationMeter.allocatedBytes() - allocatedBefore - overhead;
            allocation.roundConsumerOps = handler.count - first;
            sleeps += roundSleeps;
        }

        /** Prints the event check and allocation figures; returns false if an event arrived wrong. */
        boolean report(PrintStream out) {
            boolean ok = checker.errors == 0 && checker.count == sent && sent > 0;
            out.printf(Locale.ROOT, "%s check: %d events, %s; allocation (rounds after the first): %s%n", name(),
                    checker.count, ok ? "all in order with their payload" : "ERRORS " + checker.errors + ", sent "
                    + sent, allocation.format());
            return ok;
        }
    }

    /** The baseline: a JCTools single-producer single-consumer array queue of pre-boxed longs. */
    static final class JctoolsSpsc implements Contender {

        private static final int VALUES = 1024;

        private final SpscArrayQueue<Long> queue = new SpscArrayQueue<>(SLOTS);
        private final Long[] values = new Long[VALUES];
        private final LongChecker checker = new LongChecker();
        private final ProgressCounter progress = new ProgressCounter();
        private final AllocationTally allocation = new AllocationTally();
        private volatile boolean stop;
        private volatile boolean producerDone;
        private long sent;

        JctoolsSpsc() {
            for (int i = 0; i < VALUES; i++) {
                values[i] = (long) i; // boxed once, here
            }
        }

        @Override
        public String name() {
            return "jctools-spsc";
        }

        @Override
        public double measure(double seconds) throws Exception {
            stop = false;
            producerDone = false;
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread consumer = Rounds.start("jctools-consumer", Rounds.Side.READER, failure, this::consume);
            Thread producer = Rounds.start("jctools-producer", Rounds.Side.WRITER, failure, this::produce);
            double rate = Rounds.sampleRate(progress, seconds);
            stop = true;
            Rounds.join(failure, producer, consumer);
            allocation.endRound();
            return rate;
        }

        private void produce() {
            long overhead = Rounds.meterOverhead();
            long allocatedBefore = AllocationMeter.allocatedBytes();
            SpscArrayQueue<Long> q = queue;
            Long[] boxes = values;
            long sequence = sent;
            long first = sequence;
            while (!stop) {
                for (int i = 0; i < PRODUCER_BATCH; i++) {
                    if (!q.offer(boxes[(int) (sequence & (VALUES - 1))])) {
                        Thread.onSpinWait();
                        continue;
                    }
                    sequence++;
                }
            }
            allocation.roundProducerBytes = AllocationMeter.allocatedBytes() - allocatedBefore - overhead;
            allocation.roundProducerOps = sequence - first;
            sent = sequence;
            producerDone = true;
        }

        private void consume() {
            long overhead = Rounds.meterOverhead();
            long allocatedBefore = AllocationMeter.allocatedBytes();
            SpscArrayQueue<Long> q = queue;
            LongChecker handler = checker;
            long first = handler.count;
            while (true) {
                int n = q.drain(handler, DRAIN_LIMIT);
                if (n > 0) {
                    progress.set(handler.count);
                    continue;
                }
                if (producerDone && handler.count == sent) {
                    break;
                }
                Thread.onSpinWait();
            }
            allocation.roundConsumerBytes = AllocationMeter.allocatedBytes() - allocatedBefore - overhead;
            allocation.roundConsumerOps = handler.count - first;
        }

        boolean report(PrintStream out) {
            boolean ok = checker.errors == 0 && checker.count == sent && sent > 0;
            out.printf(Locale.ROOT, "%s check: %d events, %s; allocation (rounds after the first): %s%n", name(),
                    checker.count, ok ? "all in order" : "ERRORS " + checker.errors + ", sent " + sent,
                    allocation.format());
            return ok;
        }

        /** Counts and checks the boxed values: each is its sequence number modulo the box count. */
        static final class LongChecker implements MessagePassingQueue.Consumer<Long> {
            long count;
            long errors;

            @Override
            public void accept(Long value) {
                if (value.longValue() != (count & (VALUES - 1))) {
                    errors++;
                }
                count++;
            }
        }
    }
}
