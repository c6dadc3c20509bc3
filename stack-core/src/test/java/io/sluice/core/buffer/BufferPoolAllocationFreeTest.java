package io.sluice.core.buffer;

import static io.sluice.core.buffer.BufferPool.NO_BUFFER;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.core.util.AllocationMeter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * The steady-state data path allocates nothing on the Java heap: a million rounds of single and batch allocation,
 * frees that go through another worker's cache (so refills and flushes of the shared list happen), metadata
 * updates and chain copies in and out, measured with the JVM's per-thread allocation counter.
 *
 * <p>No tolerance in the measured million rounds: the code under test never executes {@code new}, boxes or
 * throws. {@link AllocationMeter#allocatedInSteadyState} warms up until the JIT has settled (compiled-code swaps
 * can allocate once on the running thread), then measures.
 */
class BufferPoolAllocationFreeTest {

    private static final int ROUNDS = 1_000_000;
    private static final int WINDOW_ROUNDS = 50_000;

    @Test
    void hotPathAllocatesNothing() {
        try (BufferPool pool = BufferPool.create(BufferPoolConfig.defaults().withBufferCount(4096));
                Arena arena = Arena.ofConfined()) {
            BufferCache rx = pool.newCache();
            BufferCache tx = pool.newCache();
            int[] vector = new int[256];
            MemorySegment packet = arena.allocate(5000);
            packet.fill((byte) 7);
            MemorySegment out = arena.allocate(5000);
            byte[] small = new byte[100];

            long[] checksumAndRounds = new long[2];
            long allocated = AllocationMeter.allocatedInSteadyState(() -> {
                checksumAndRounds[0] += run(pool, rx, tx, vector, packet, out, small, WINDOW_ROUNDS);
                checksumAndRounds[1] += WINDOW_ROUNDS;
            }, () -> {
                checksumAndRounds[0] += run(pool, rx, tx, vector, packet, out, small, ROUNDS);
                checksumAndRounds[1] += ROUNDS;
            });

            assertEquals(0, allocated, "bytes allocated on the heap by " + ROUNDS + " rounds");
            long rounds = checksumAndRounds[1];
            assertEquals(rounds * (1514 - 14 + 5000 + 100) + rounds / 16 * vector.length, checksumAndRounds[0]);
            assertEquals(0, pool.allocationFailures());
            assertEquals(0, pool.doubleFrees());
            assertEquals(0, pool.buffersInUse());
        }
    }

    /** One round: what a worker does to a few packets. Returns a checksum so nothing can be optimised away. */
    private static long run(BufferPool pool, BufferCache rx, BufferCache tx, int[] vector, MemorySegment packet,
            MemorySegment out, byte[] small, int rounds) {
        long sum = 0;
        for (int r = 0; r < rounds; r++) {
            // A received frame: strip the Ethernet header, prepend room for a new one, free on the other worker.
            int b = rx.allocate();
            if (b == NO_BUFFER) {
                throw new AssertionError("exhausted");
            }
            pool.setCurrentLength(b, 1514);
            pool.advance(b, 14);
            pool.setRxInterface(b, 1);
            sum += pool.currentLength(b);
            pool.advance(b, -64);
            pool.advance(b, 64);
            tx.free(b);

            // A vector of indices every 16 rounds, freed in a batch on the other worker.
            if ((r & 15) == 0) {
                int got = rx.allocate(vector, 0, vector.length);
                sum += got;
                tx.free(vector, 0, got);
            }

            // A 5000-byte packet: chain copy in, length, copy out, free the chain.
            int head = rx.copyIn(packet, 0, (int) packet.byteSize());
            sum += pool.copyOut(head, out, 0);
            rx.freeChain(head);

            int one = tx.copyIn(small, 0, small.length);
            sum += pool.chainLength(one);
            rx.freeChain(one);
        }
        return sum;
    }
}
