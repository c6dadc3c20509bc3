package io.sluice.session.stress;

import io.sluice.session.fifo.ByteFifo;
import io.sluice.session.fifo.FifoLayout;
import io.sluice.session.mq.Doorbell;
import io.sluice.session.mq.MessageQueue;
import io.sluice.session.mq.Producers;
import io.sluice.session.mq.QueueLayout;
import java.lang.foreign.Arena;

/**
 * Fresh structures for the stress tests. JCStress builds one state per trial and has no tear-down hook, so the
 * memory comes from automatic arenas: freed by the garbage collector once the state is dropped.
 */
final class StressMemory {

    /** Both structures require cache-line-aligned native regions. */
    private static final int ALIGNMENT = 64;

    private StressMemory() {}

    /** An empty FIFO of {@code capacity} bytes without an out-of-order range table. */
    static ByteFifo newFifo(int capacity) {
        return ByteFifo.format(Arena.ofAuto().allocate(FifoLayout.footprint(capacity, 0), ALIGNMENT), capacity, 0);
    }

    /** An empty queue. */
    static MessageQueue newQueue(int slotCount, int slotSize, Producers producers, Doorbell doorbell) {
        return MessageQueue.format(Arena.ofAuto().allocate(QueueLayout.footprint(slotCount, slotSize), ALIGNMENT),
                slotCount, slotSize, producers, doorbell);
    }

    /** {@code length} distinct non-zero bytes starting at {@code first} (fresh native memory reads as zeros). */
    static byte[] pattern(int first, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (first + i);
        }
        return bytes;
    }

    /** How many of {@code actual}'s first {@code length} bytes equal {@code expected}'s. */
    static int matching(byte[] expected, byte[] actual, int length) {
        int same = 0;
        for (int i = 0; i < length; i++) {
            if (actual[i] == expected[i]) {
                same++;
            }
        }
        return same;
    }
}
