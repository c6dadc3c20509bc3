package io.sluice.core.buffer;

import static io.sluice.core.buffer.BufferPool.NO_BUFFER;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Several workers allocate, free, chain and hand buffers to each other at random over a small pool, so caches
 * refill and flush constantly and the pool runs dry now and then. An owner table checks that no index is ever
 * held by two workers, a stamp in each buffer's data checks that no one else wrote it, and at the end every
 * buffer must be back.
 */
class BufferPoolConcurrencyTest {

    private static final int THREADS = 4;
    private static final int COUNT = 1024;
    private static final int MAX_HELD = 300;
    private static final long RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(1500);
    private static final int MAX_OPS = 3_000_000;

    private final BufferPool pool = BufferPool.create(new BufferPoolConfig(COUNT, 256, 64, 32));
    /** 0 when free, else the owning worker's id + 1. */
    private final AtomicIntegerArray owner = new AtomicIntegerArray(COUNT);
    private final List<ConcurrentLinkedQueue<Integer>> inboxes = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicLong exhaustions = new AtomicLong();
    private final AtomicLong handoffs = new AtomicLong();

    @Test
    @Timeout(60)
    void workersNeverShareABufferAndEveryBufferComesBack() throws Exception {
        for (int t = 0; t < THREADS; t++) {
            inboxes.add(new ConcurrentLinkedQueue<>());
        }
        CyclicBarrier stopped = new CyclicBarrier(THREADS);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int id = t;
            threads.add(Thread.ofPlatform().name("buffer-worker-" + t).start(() -> {
                try {
                    work(id, stopped);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    stopped.reset();
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(thread.isAlive(), thread.getName() + " finished");
        }
        if (failure.get() != null) {
            throw new AssertionError("worker failed", failure.get());
        }
        assertEquals(COUNT, pool.buffersInSharedList(), "every buffer is back in the shared list");
        assertEquals(COUNT, pool.buffersFree());
        assertEquals(0, pool.doubleFrees());
        for (int i = 0; i < COUNT; i++) {
            assertEquals(0, owner.get(i), "owner of " + i);
            assertFalse(pool.isAllocated(i), "state of " + i);
        }
        assertTrue(exhaustions.get() > 0, "the pool ran dry at least once (otherwise the test is too gentle)");
        assertTrue(pool.allocationFailures() >= exhaustions.get());
        assertTrue(handoffs.get() > 0, "buffers moved between workers");
    }

    private void work(int id, CyclicBarrier stopped) throws Exception {
        SplittableRandom random = new SplittableRandom(id * 7919L);
        int[] held = new int[MAX_HELD + 64];
        int n = 0;
        int[] batch = new int[16];
        byte[] payload = new byte[700];
        BufferCache cache = pool.newCache();
        long deadline = System.nanoTime() + RUN_NANOS;
        for (int op = 0; op < MAX_OPS; op++) {
            if ((op & 1023) == 0 && System.nanoTime() > deadline) {
                break;
            }
            for (Integer in; n < held.length && (in = inboxes.get(id).poll()) != null; ) {
                check(owner.get(in) == id + 1, "received buffer %d not marked as ours", in, 0);
                checkStamp(in, id);
                held[n++] = in;
            }
            int choice = random.nextInt(10);
            if (choice < 3 && n < MAX_HELD) {
                int b = cache.allocate();
                if (b == NO_BUFFER) {
                    exhaustions.incrementAndGet();
                } else {
                    take(b, id);
                    held[n++] = b;
                }
            } else if (choice < 5 && n + batch.length <= MAX_HELD) {
                int got = cache.allocate(batch, 0, 1 + random.nextInt(batch.length));
                for (int k = 0; k < got; k++) {
                    take(batch[k], id);
                    held[n++] = batch[k];
                }
            } else if (choice < 8 && n > 0) {
                int pick = random.nextInt(n);
                int b = held[pick];
                held[pick] = held[--n];
                release(b, id);
                check(cache.free(b), "free of %d rejected", b, 0);
            } else if (choice < 9 && n > 0) {
                int pick = random.nextInt(n);
                int b = held[pick];
                int to = random.nextInt(THREADS);
                if (to != id) {
                    held[pick] = held[--n];
                    check(owner.compareAndSet(b, id + 1, to + 1), "handoff of %d to %d", b, to);
                    stampData(b, to);
                    inboxes.get(to).add(b);
                    handoffs.incrementAndGet();
                }
            } else {
                int head = cache.copyIn(payload, 0, payload.length);
                if (head != NO_BUFFER) {
                    for (int b = head; b != NO_BUFFER; b = pool.nextBuffer(b)) {
                        check(owner.compareAndSet(b, 0, id + 1), "chain buffer %d already owned by %d", b,
                                owner.get(b) - 1);
                    }
                    check(pool.chainLength(head) == payload.length, "chain length %d", pool.chainLength(head), 0);
                    for (int b = head; b != NO_BUFFER; b = pool.nextBuffer(b)) {
                        owner.set(b, 0);
                    }
                    check(cache.freeChain(head) == 3, "chain of 700 bytes at %d not 3 buffers of 256", head, 0);
                } else {
                    exhaustions.incrementAndGet();
                }
            }
        }
        // Everyone stops handing off before anyone drains its inbox for the last time.
        stopped.await(20, TimeUnit.SECONDS);
        for (Integer in; (in = inboxes.get(id).poll()) != null; ) {
            release(in, id);
            check(cache.free(in), "final free of %d", in, 0);
        }
        for (int k = 0; k < n; k++) {
            release(held[k], id);
        }
        check(cache.free(held, 0, n) == n, "final frees of %d buffers", n, 0);
        cache.close();
    }

    private void take(int b, int id) {
        check(owner.compareAndSet(b, 0, id + 1), "buffer %d handed out while owned by %d", b, owner.get(b) - 1);
        check(pool.isAllocated(b), "buffer %d handed out but not marked allocated", b, 0);
        pool.setCurrentLength(b, 8);
        stampData(b, id);
    }

    private void release(int b, int id) {
        checkStamp(b, id);
        check(owner.compareAndSet(b, id + 1, 0), "buffer %d freed but owned by %d", b, owner.get(b) - 1);
    }

    private void stampData(int b, int id) {
        pool.memory().set(JAVA_INT, pool.dataOffset(b), id);
        pool.memory().set(JAVA_INT, pool.dataOffset(b) + 4, b);
    }

    private void checkStamp(int b, int id) {
        check(pool.memory().get(JAVA_INT, pool.dataOffset(b)) == id
                && pool.memory().get(JAVA_INT, pool.dataOffset(b) + 4) == b,
                "data of buffer %d overwritten while worker %d held it", b, id);
    }

    /** Formats the message only on failure, so checks on every operation stay cheap. */
    private static void check(boolean ok, String format, int a, int b) {
        if (!ok) {
            throw new AssertionError(String.format(format, a, b));
        }
    }
}
