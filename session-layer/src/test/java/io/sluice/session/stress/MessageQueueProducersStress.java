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
 * Two producers each claim and commit two messages (ids 1, 2 and 3, 4); the arbiter drains. The queue was
 * advanced by three positions first, so the four messages wrap around its four slots. Checks the claim
 * compare-and-set: no two producers get one slot, no position is skipped. Result: (messages delivered, corrupt
 * payloads, ids missing/duplicated/out of their producer's order, id at the head of the queue).
 *
 * <p>The consumer races only in {@link MessageQueuePublicationStress}: JCStress needs a CPU per actor, and a
 * three-actor test would not run on a two-CPU machine.
 */
@JCStressTest
@Description("MessageQueue: concurrent claims give each message its own slot, in each producer's order")
@Outcome(id = "4, 0, 0, 1", expect = ACCEPTABLE, desc = "All four intact; producer A claimed the first position.")
@Outcome(id = "4, 0, 0, 3", expect = ACCEPTABLE, desc = "All four intact; producer B claimed the first position.")
@Outcome(expect = FORBIDDEN, desc = "A message lost, duplicated, corrupted or out of its producer's order.")
@State
public class MessageQueueProducersStress {

    private static final int SLOTS = 4;
    private static final int MESSAGES = 4;

    private final MessageQueue queue = StressMemory.newQueue(SLOTS, 64, Producers.MULTIPLE, Doorbell.NONE);
    private final TestMessages messages = new TestMessages(queue, 2 * MESSAGES);
    /** Claims refused as full, one counter per producer thread (never expected: there is a slot per message). */
    private int refusedA;
    private int refusedB;

    public MessageQueueProducersStress() {
        for (int i = 0; i < SLOTS - 1; i++) {
            queue.commit(queue.tryClaim());
        }
        queue.drain((memory, offset, length) -> { }, SLOTS);
    }

    @Actor
    public void producerA() {
        refusedA += messages.send(1) ? 0 : 1;
        refusedA += messages.send(2) ? 0 : 1;
    }

    @Actor
    public void producerB() {
        refusedB += messages.send(3) ? 0 : 1;
        refusedB += messages.send(4) ? 0 : 1;
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
        r.r1 = queue.drain(messages, 2 * MESSAGES);
        r.r2 = messages.corrupt();
        r.r3 = messages.faults(MESSAGES, 1, 3) + refusedA + refusedB;
        r.r4 = r.r1 > 0 ? messages.received(0) : 0;
    }
}
