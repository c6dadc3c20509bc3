package io.sluice.session.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.sluice.session.mq.Doorbell;
import io.sluice.session.mq.MessageQueue;
import io.sluice.session.mq.Producers;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * A producer sends messages 1, 2, 3 into a two-slot queue while the consumer drains once; the arbiter drains the
 * rest. The third claim succeeds only if the consumer has freed the first slot, and then overwrites it. Checks
 * both pairings of a slot's sequence: the commit's release against the drain's acquire (a published slot shows its
 * payload), and the drain's release against the claim's acquire (a slot is reused only after its payload was
 * read). Result: (messages sent, taken by the racing drain, delivered in all, faults: corrupt, missing,
 * duplicated or misordered).
 */
@JCStressTest
@Description("MessageQueue: payloads are visible once committed and not overwritten until drained")
@Outcome(id = "2, [0-2], 2, 0", expect = ACCEPTABLE,
        desc = "The third claim found the queue full; both messages arrive intact and in order.")
@Outcome(id = "3, [1-3], 3, 0", expect = ACCEPTABLE,
        desc = "The racing drain freed a slot in time for the third message; all arrive intact and in order.")
@Outcome(expect = FORBIDDEN, desc = "A payload read before it was written or overwritten before it was read, "
        + "a message lost or duplicated, or a third claim granted without a freed slot.")
@State
public class MessageQueuePublicationStress {

    private static final int SLOTS = 2;
    private static final int MESSAGES = 3;

    private final MessageQueue queue = StressMemory.newQueue(SLOTS, 64, Producers.SINGLE, Doorbell.NONE);
    private final TestMessages messages = new TestMessages(queue, 2 * MESSAGES);

    public MessageQueuePublicationStress() {
        for (int i = 0; i < SLOTS; i++) { // start a lap in: every slot has been used once
            queue.commit(queue.tryClaim());
        }
        queue.drain((memory, offset, length) -> { }, SLOTS);
    }

    @Actor
    public void producer(IIII_Result r) {
        int sent = 0;
        while (sent < MESSAGES && messages.send(sent + 1)) {
            sent++;
        }
        r.r1 = sent;
    }

    @Actor
    public void consumer(IIII_Result r) {
        r.r2 = queue.drain(messages, MESSAGES);
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        r.r3 = r.r2 + queue.drain(messages, 2 * MESSAGES);
        r.r4 = messages.corrupt() + messages.faults(r.r1);
    }
}
