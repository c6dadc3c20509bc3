package io.sluice.session.stress;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.sluice.session.mq.MessageHandler;
import io.sluice.session.mq.MessageQueue;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Messages whose every payload word is derived from the message id, sent into a queue and checked on receipt: a
 * payload read before it was fully written, or overwritten while read, comes out corrupt. Keeps the ids in the
 * order received. Not thread-safe: one sending thread and one (the consumer's) receiving thread at a time.
 */
final class TestMessages implements MessageHandler {

    private static final long WORD_SALT = 0x5a5a_0000_0000_0000L;

    private final MessageQueue queue;
    private final int words;
    private final int[] received;
    private int receivedCount;
    private int corrupt;

    TestMessages(MessageQueue queue, int maxMessages) {
        this.queue = queue;
        this.words = queue.payloadSize() / Long.BYTES;
        this.received = new int[maxMessages];
    }

    /** Claims, fills and commits message {@code id}; false if the queue was full. */
    boolean send(int id) {
        long position = queue.tryClaim();
        if (position == MessageQueue.FULL) {
            return false;
        }
        MemorySegment memory = queue.memory();
        long offset = queue.payloadOffset(position);
        for (int w = 0; w < words; w++) {
            memory.set(JAVA_LONG, offset + (long) w * Long.BYTES, word(id, w));
        }
        queue.commit(position);
        return true;
    }

    private static long word(int id, int w) {
        return WORD_SALT | (long) id << 16 | w;
    }

    @Override
    public void onMessage(MemorySegment memory, long offset, int length) {
        int id = (int) ((memory.get(JAVA_LONG, offset) >>> 16) & 0xffff);
        boolean intact = length == words * Long.BYTES;
        for (int w = 0; w < words && intact; w++) {
            intact = memory.get(JAVA_LONG, offset + (long) w * Long.BYTES) == word(id, w);
        }
        if (!intact) {
            corrupt++;
        } else if (receivedCount < received.length) {
            received[receivedCount++] = id;
        } else {
            corrupt++; // more messages than were ever sent
        }
    }

    /** Payloads that were not as written. */
    int corrupt() {
        return corrupt;
    }

    /** The id received {@code index}-th. */
    int received(int index) {
        return received[index];
    }

    /**
     * Faults against the expectation that ids {@code 1..sent} each arrived once, and that within each group of ids
     * sent by one producer ({@code firstIds[k]} up to the next group's first id) they arrived in increasing order.
     * Counts missing, duplicate, unknown and misordered ids.
     */
    int faults(int sent, int... firstIds) {
        int faults = Math.abs(receivedCount - sent);
        int[] indexOf = new int[sent + 1];
        Arrays.fill(indexOf, -1);
        for (int i = 0; i < receivedCount; i++) {
            int id = received[i];
            if (id < 1 || id > sent || indexOf[id] >= 0) {
                faults++;
            } else {
                indexOf[id] = i;
            }
        }
        for (int id = 2; id <= sent; id++) {
            boolean sameProducer = true;
            for (int first : firstIds) {
                sameProducer &= id != first;
            }
            if (sameProducer && indexOf[id] >= 0 && indexOf[id] < indexOf[id - 1]) {
                faults++;
            }
        }
        return faults;
    }
}
