package io.sluice.core.engine;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.phy.AbstractDevice;
import io.sluice.core.sys.EventFd;
import io.sluice.core.sys.NativeFd;
import io.sluice.core.sys.SyscallException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.jctools.queues.MpscArrayQueue;

/**
 * A test device whose receive queues are fed by the test thread ({@link #inject}) and whose transmit queues count
 * what they are given: per frame sequence number ({@link EngineFixture#sequence}) how often it was sent, and how
 * often two threads were inside {@code transmit} on one queue at once (which the engine's tx lock must prevent).
 * Each receive queue optionally has an eventfd as its readiness descriptor. Each received buffer is marked with its
 * queue number in opaque bytes 0 to 3 ({@link EngineFixture#queueMark}). Allocation-free on the worker side.
 */
final class QueueDevice extends AbstractDevice {

    private final BufferPool pool;
    private final MpscArrayQueue<Integer>[] rx;
    private final EventFd[] readiness;
    private final AtomicInteger[] inTransmit;
    private final AtomicIntegerArray sentBySequence;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong overlaps = new AtomicLong();
    private boolean closed;

    @SuppressWarnings("unchecked")
    QueueDevice(String name, long mac, BufferPool pool, int rxQueues, int txQueues, boolean withReadiness,
            int maxSequence) {
        super(name, mac, 1500, rxQueues, txQueues);
        this.pool = pool;
        this.rx = new MpscArrayQueue[rxQueues];
        this.readiness = new EventFd[rxQueues];
        for (int q = 0; q < rxQueues; q++) {
            rx[q] = new MpscArrayQueue<>(1 << 16);
            if (withReadiness) {
                try {
                    readiness[q] = EventFd.create(0, EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
                } catch (SyscallException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        this.inTransmit = new AtomicInteger[txQueues];
        for (int q = 0; q < txQueues; q++) {
            inTransmit[q] = new AtomicInteger();
        }
        this.sentBySequence = new AtomicIntegerArray(maxSequence);
    }

    /** Test thread: puts a frame on receive queue {@code queue} and signals its readiness. */
    boolean inject(int queue, int buffer) {
        if (!rx[queue].offer(buffer)) {
            return false;
        }
        if (readiness[queue] != null) {
            try {
                readiness[queue].write(1);
            } catch (SyscallException e) {
                throw new UncheckedIOException(e);
            }
        }
        return true;
    }

    @Override
    public int receive(int queue, long now, BufferCache cache, int[] destination, int offset, int max) {
        int n = drain(queue, destination, offset, max);
        if (n < max && readiness[queue] != null) {
            try {
                readiness[queue].read(); // reset, then look again: a frame offered meanwhile is not missed
            } catch (SyscallException e) {
                throw new UncheckedIOException(e);
            }
            n += drain(queue, destination, offset + n, max - n);
        }
        return n;
    }

    private int drain(int queue, int[] destination, int offset, int max) {
        int n = 0;
        Integer buffer;
        while (n < max && (buffer = rx[queue].relaxedPoll()) != null) {
            int b = buffer;
            pool.memory().set(JAVA_INT, pool.opaqueOffset(b) + EngineFixture.QUEUE_MARK_OFFSET, queue);
            destination[offset + n++] = b;
            counters.received(queue, pool.currentLength(b));
        }
        return n;
    }

    @Override
    public int transmit(int queue, long now, BufferCache cache, int[] buffers, int offset, int count) {
        if (inTransmit[queue].incrementAndGet() != 1) {
            overlaps.incrementAndGet();
        }
        for (int i = offset; i < offset + count; i++) {
            int sequence = EngineFixture.sequence(pool, buffers[i]);
            if (sequence >= 0 && sequence < sentBySequence.length()) {
                sentBySequence.incrementAndGet(sequence);
            }
            cache.freeChain(buffers[i]);
        }
        sent.addAndGet(count);
        inTransmit[queue].decrementAndGet();
        return count;
    }

    @Override
    public NativeFd receiveReadiness(int queue) {
        return readiness[queue] == null ? null : readiness[queue].fd();
    }

    long sent() {
        return sent.get();
    }

    int sentCount(int sequence) {
        return sentBySequence.get(sequence);
    }

    long overlappingTransmits() {
        return overlaps.get();
    }

    /** Frees frames never received and closes the eventfds. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (BufferCache cache = pool.newCache()) {
            for (MpscArrayQueue<Integer> q : rx) {
                Integer buffer;
                while ((buffer = q.poll()) != null) {
                    cache.freeChain(buffer);
                }
            }
        }
        for (EventFd fd : readiness) {
            if (fd != null) {
                try {
                    fd.close();
                } catch (SyscallException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }
}
