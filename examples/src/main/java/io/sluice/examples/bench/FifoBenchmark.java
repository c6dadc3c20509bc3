package io.sluice.examples.bench;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.sluice.core.util.AllocationMeter;
import io.sluice.session.fifo.ByteFifo;
import io.sluice.session.fifo.FifoLayout;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32C;

/**
 * {@code bench fifo}: bytes per second through one {@link ByteFifo}, a producer thread writing 64 KiB at a time
 * into a 1 MiB FIFO and a consumer thread reading it out, all in native memory. In the same run, for scale:
 * <ul>
 *   <li>{@code memcpy}: one thread copying the same 64 KiB chunks into a 1 MiB ring at rotating offsets with
 *       {@link MemorySegment#copy}: what a single copy costs (the FIFO makes two, one on each thread);</li>
 *   <li>{@code kernel-tcp}: a writer and a reader thread moving the same chunks over a loopback TCP connection
 *       with blocking NIO channels and direct buffers: what applications pay today.</li>
 * </ul>
 * The FIFO run proves it moved real data: each chunk is stamped with its sequence number, and every 64th chunk is
 * checksummed (CRC32C) by the producer before it goes in and by the consumer after it comes out.
 */
public final class FifoBenchmark implements Benchmark {

    static final int CHUNK = 64 * 1024;
    static final int FIFO_CAPACITY = 1 << 20;
    /** One chunk in this many is checksummed on both sides. */
    static final int SAMPLE_EVERY = 64;
    /**
     * Polls a side makes, when it cannot move, before it goes to sleep on its {@link Wakeup} (tens of
     * microseconds): the bounded spin of the design. On a quiet machine neither side ever sleeps; on a loaded one,
     * a side whose peer lost its core stops burning the core the peer needs.
     */
    static final int SPINS_BEFORE_SLEEP = 1000;
    /** A sleeping side wakes after this long even without a signal (a safety net, not a mechanism). */
    static final long SLEEP_TIMEOUT_NANOS = 1_000_000;

    @Override
    public String name() {
        return "fifo";
    }

    @Override
    public String summary() {
        return "GB/s through a shared-memory FIFO (64 KiB writes, 1 MiB) vs memcpy and kernel loopback TCP";
    }

    @Override
    public int run(BenchOptions options, PrintStream out) throws Exception {
        out.println("bench fifo: 64 KiB chunks, 1 MiB FIFO, producer and consumer threads; " + options);
        out.println("bench fifo: " + Rounds.Side.describe());
        Rounds.meterOverhead(); // loads the allocation meter before anything is counted
        try (Arena arena = Arena.ofShared()) {
            SluiceFifo sluice = new SluiceFifo(arena);
            Memcpy memcpy = new Memcpy(arena);
            KernelTcp kernel = new KernelTcp();
            double[] medians = Rounds.run(List.of(sluice, memcpy, kernel), options, out, "GB/s", 1e9);
            boolean ok = sluice.report(out);
            double x = medians[0] / 1e9;
            double y = medians[1] / 1e9;
            double z = medians[2] / 1e9;
            out.printf(Locale.ROOT, "targets: sluice/memcpy %.2f (target >= 0.50), sluice/kernel-tcp %.2f "
                    + "(target >= 1.50)%n", x / y, x / z);
            out.printf(Locale.ROOT, "bench fifo: sluice %.2f GB/s, memcpy %.2f GB/s, kernel-tcp %.2f GB/s, "
                    + "ratio %.2f%n", x, y, z, x / z);
            return ok ? 0 : 1;
        }
    }

    /** The FIFO under test, with its producer and consumer threads made anew each round. */
    static final class SluiceFifo implements Contender {

        private final ByteFifo fifo;
        private final MemorySegment source;
        private final MemorySegment destination;
        private final ByteBuffer sourceView;
        private final ByteBuffer destinationView;
        private final CRC32C producerCrc = new CRC32C();
        private final CRC32C consumerCrc = new CRC32C();
        private final ProgressCounter progress = new ProgressCounter();

        private volatile boolean stop;
        private volatile boolean producerDone;
        private Wakeup producerWakeup;
        private Wakeup consumerWakeup;
        private long producerSleeps;
        private long consumerSleeps;

        // Written by the producer before producerDone, read after it.
        private long nextChunk;
        private long producerSum;
        private long producerSamples;
        // Written by the consumer thread; read after it is joined.
        private long received;
        private long consumerSum;
        private long consumerSamples;
        private long stampErrors;
        // Allocation of every round but the first (which includes the JIT's warm-up).
        private int round;
        private long producerAllocated;
        private long producerOps;
        private long consumerAllocated;
        private long consumerOps;
        private long roundProducerAllocated;
        private long roundProducerOps;
        private long roundConsumerAllocated;
        private long roundConsumerOps;

        SluiceFifo(Arena arena) {
            int ranges = FifoLayout.DEFAULT_MAX_RANGES; // as a TCP receive FIFO has: the range check is on the path
            fifo = ByteFifo.format(arena.allocate(FifoLayout.footprint(FIFO_CAPACITY, ranges), 64), FIFO_CAPACITY,
                    ranges);
            source = arena.allocate(CHUNK, 64);
            destination = arena.allocate(CHUNK, 64);
            Rounds.fillRandom(source);
            sourceView = source.asByteBuffer();
            destinationView = destination.asByteBuffer();
        }

        @Override
        public String name() {
            return "sluice";
        }

        @Override
        public double measure(double seconds) throws Exception {
            stop = false;
            producerDone = false;
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread consumer = Rounds.unstarted("fifo-consumer", Rounds.Side.READER, failure, this::consume);
            Thread producer = Rounds.unstarted("fifo-producer", Rounds.Side.WRITER, failure, this::produce);
            consumerWakeup = Wakeup.forWaiter(consumer);
            producerWakeup = Wakeup.forWaiter(producer);
            consumer.start();
            producer.start();
            double rate = Rounds.sampleRate(progress, seconds);
            stop = true;
            try {
                Rounds.join(failure, producer, consumer);
            } finally {
                consumerWakeup.close();
                producerWakeup.close();
            }
            if (round++ > 0) {
                producerAllocated += roundProducerAllocated;
                producerOps += roundProducerOps;
                consumerAllocated += roundConsumerAllocated;
                consumerOps += roundConsumerOps;
            }
            return rate;
        }

        private void produce() {
            long overhead = Rounds.meterOverhead();
            long allocatedBefore = AllocationMeter.allocatedBytes();
            long chunk = nextChunk;
            long ops = 0;
            long sum = 0;
            long samples = 0;
            long sleeps = 0;
            while (!stop) {
                source.set(JAVA_LONG, 0, chunk);
                if (chunk % SAMPLE_EVERY == 0) {
                    sum += checksum(producerCrc, sourceView);
                    samples++;
                }
                int offset = 0;
                int idle = 0;
                while (offset < CHUNK) {
                    int n = fifo.enqueue(source, offset, CHUNK - offset);
                    if (n > 0) {
                        offset += n;
                        ops++;
                        idle = 0;
                        if (fifo.setEvent()) {
                            consumerWakeup.signal(); // the consumer cleared the flag: it may be asleep
                        }
                    } else if (++idle < SPINS_BEFORE_SLEEP) {
                        Thread.onSpinWait(); // full: the consumer is (normally) running on the other core
                    } else {
                        idle = 0;
                        fifo.requestDequeueNotification(ByteFifo.NOTIFY_IF_FULL);
                        if (fifo.freeSpace() == 0) { // re-check after the request, see its Javadoc
                            sleeps++;
                            producerWakeup.await(SLEEP_TIMEOUT_NANOS);
                        }
                    }
                }
                chunk++;
            }
            roundProducerAllocated = AllocationMeter.allocatedBytes() - allocatedBefore - overhead;
            roundProducerOps = ops;
            nextChunk = chunk;
            producerSum += sum;
            producerSamples += samples;
            producerSleeps += sleeps;
            producerDone = true; // volatile: publishes the fields above to the consumer
            consumerWakeup.signal(); // it may be asleep with nothing more to come
        }

        private void consume() {
            long overhead = Rounds.meterOverhead();
            long allocatedBefore = AllocationMeter.allocatedBytes();
            long position = received;
            long ops = 0;
            long sleeps = 0;
            int idle = 0;
            while (true) {
                int readable = fifo.readableBytes();
                if (readable == 0) {
                    if (producerDone && position == nextChunk * CHUNK) {
                        break;
                    }
                    if (++idle < SPINS_BEFORE_SLEEP) {
                        Thread.onSpinWait(); // empty: the producer is (normally) running on the other core
                        continue;
                    }
                    idle = 0;
                    fifo.clearEvent(); // the producer's next setEvent() will be the 0 to 1 change, and signal us
                    if (fifo.readableBytes() == 0 && !producerDone) {
                        sleeps++;
                        consumerWakeup.await(SLEEP_TIMEOUT_NANOS);
                    }
                    continue;
                }
                idle = 0;
                // Never read across a chunk boundary, so a chunk is whole in the destination when it ends.
                int at = (int) (position & (CHUNK - 1));
                int n = fifo.dequeue(destination, at, CHUNK - at);
                if (fifo.needsDequeueNotification(readable)) {
                    producerWakeup.signal(); // it found the FIFO full and asked to be told
                }
                position += n;
                ops++;
                progress.set(position);
                if ((position & (CHUNK - 1)) == 0) {
                    long chunk = position / CHUNK - 1;
                    if (chunk % SAMPLE_EVERY == 0) {
                        if (destination.get(JAVA_LONG, 0) != chunk) {
                            stampErrors++;
                        }
                        consumerSum += checksum(consumerCrc, destinationView);
                        consumerSamples++;
                    }
                }
            }
            consumerSleeps += sleeps;
            roundConsumerAllocated = AllocationMeter.allocatedBytes() - allocatedBefore - overhead;
            roundConsumerOps = ops;
            received = position;
        }

        private static long checksum(CRC32C crc, ByteBuffer chunk) {
            crc.reset();
            crc.update(chunk.clear());
            return crc.getValue();
        }

        /** Prints the data check and the allocation figures; returns false if the data did not arrive intact. */
        boolean report(PrintStream out) {
            boolean ok = stampErrors == 0 && producerSum == consumerSum && producerSamples == consumerSamples
                    && producerSamples > 0 && received == nextChunk * CHUNK;
            out.printf(Locale.ROOT, "sluice data check: %d bytes moved, %d of %d chunks checksummed (CRC32C) on both"
                    + " sides, %s%n", received, consumerSamples, nextChunk, ok ? "all equal"
                    : "MISMATCH (sums " + producerSum + " vs " + consumerSum + ", samples " + producerSamples
                    + " vs " + consumerSamples + ", stamp errors " + stampErrors + ")");
            out.printf(Locale.ROOT, "sluice sleeps (%s, after %d polls): producer %d, consumer %d%n",
                    consumerWakeup, SPINS_BEFORE_SLEEP, producerSleeps, consumerSleeps);
            out.printf(Locale.ROOT, "sluice allocation (rounds after the first): producer %.3f B/op over %d enqueues,"
                    + " consumer %.3f B/op over %d dequeues%n", perOp(producerAllocated, producerOps), producerOps,
                    perOp(consumerAllocated, consumerOps), consumerOps);
            return ok;
        }

        private static double perOp(long bytes, long ops) {
            return ops == 0 ? 0 : Math.max(0, bytes) / (double) ops;
        }
    }

    /** One thread, one copy per chunk: 64 KiB from a source buffer into a 1 MiB ring at rotating offsets. */
    static final class Memcpy implements Contender {

        private static final int COPIES_PER_CLOCK_READ = 16;

        private final MemorySegment source;
        private final MemorySegment ring;

        Memcpy(Arena arena) {
            source = arena.allocate(CHUNK, 64);
            ring = arena.allocate(FIFO_CAPACITY, 64);
            Rounds.fillRandom(source);
        }

        @Override
        public String name() {
            return "memcpy";
        }

        @Override
        public double measure(double seconds) {
            long start = System.nanoTime();
            long deadline = start + (long) (seconds * 1e9);
            long bytes = 0;
            long offset = 0;
            long now;
            do {
                for (int i = 0; i < COPIES_PER_CLOCK_READ; i++) {
                    MemorySegment.copy(source, 0, ring, offset, CHUNK);
                    offset = (offset + CHUNK) & (FIFO_CAPACITY - 1);
                }
                bytes += (long) COPIES_PER_CLOCK_READ * CHUNK;
                now = System.nanoTime();
            } while (now < deadline);
            return bytes * 1e9 / (now - start);
        }
    }

    /** A loopback TCP connection through the kernel, blocking NIO, one writer and one reader thread. */
    static final class KernelTcp implements Contender {

        private final ByteBuffer writeBuffer = ByteBuffer.allocateDirect(CHUNK);
        private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(CHUNK);
        private final ProgressCounter progress = new ProgressCounter();
        private volatile boolean stop;

        KernelTcp() {
            Rounds.fillRandom(MemorySegment.ofBuffer(writeBuffer));
        }

        @Override
        public String name() {
            return "kernel-tcp";
        }

        @Override
        public double measure(double seconds) throws Exception {
            try (ServerSocketChannel server = ServerSocketChannel.open()) {
                server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                try (SocketChannel client = SocketChannel.open(server.getLocalAddress());
                        SocketChannel accepted = server.accept()) {
                    stop = false;
                    progress.set(0);
                    AtomicReference<Throwable> failure = new AtomicReference<>();
                    Thread reader = Rounds.start("tcp-reader", Rounds.Side.READER, failure, () -> read(accepted));
                    Thread writer = Rounds.start("tcp-writer", Rounds.Side.WRITER, failure, () -> write(client));
                    double rate = Rounds.sampleRate(progress, seconds);
                    stop = true;
                    Rounds.join(failure, writer, reader);
                    return rate;
                }
            }
        }

        private void write(SocketChannel channel) throws Exception {
            while (!stop) {
                writeBuffer.clear();
                while (writeBuffer.hasRemaining()) {
                    channel.write(writeBuffer);
                }
            }
            channel.shutdownOutput();
        }

        private void read(SocketChannel channel) throws Exception {
            long total = 0;
            int n;
            while ((n = channel.read(readBuffer.clear())) >= 0) {
                total += n;
                progress.set(total);
            }
        }
    }
}
