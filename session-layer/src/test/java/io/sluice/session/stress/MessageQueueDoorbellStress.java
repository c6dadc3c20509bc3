package io.sluice.session.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.sluice.session.mq.MessageQueue;
import io.sluice.session.mq.Producers;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * One ring per sleep: the consumer has announced a sleep on the empty queue, and two producers commit at once.
 * Only the producer that wins the compare-and-set of the sleeping flag from 1 to 0 rings, so the doorbell (an
 * eventfd write in production) rings exactly once. Result: (doorbell rings, the queue's wakeup counter, messages
 * drained).
 */
@JCStressTest
@Description("MessageQueue: two producers ring a sleeping consumer's doorbell exactly once")
@Outcome(id = "1, 1, 2", expect = ACCEPTABLE, desc = "One producer won the flag and rang; the other did not.")
@Outcome(id = "0, 0, 2", expect = FORBIDDEN, desc = "Lost wakeup: nobody rang for the sleeping consumer.")
@Outcome(id = "2, 2, 2", expect = FORBIDDEN, desc = "Both producers rang for one sleep.")
@Outcome(expect = FORBIDDEN, desc = "A message went missing, or the counter disagrees with the rings.")
@State
public class MessageQueueDoorbellStress {

    private final CountingDoorbell doorbell = new CountingDoorbell();
    private final MessageQueue queue = StressMemory.newQueue(4, 64, Producers.MULTIPLE, doorbell);

    public MessageQueueDoorbellStress() {
        if (!queue.prepareToSleep()) {
            throw new IllegalStateException("an empty queue must let the consumer sleep");
        }
    }

    @Actor
    public void producerA() {
        queue.commit(queue.tryClaim());
    }

    @Actor
    public void producerB() {
        queue.commit(queue.tryClaim());
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r1 = doorbell.rings();
        r.r2 = (int) queue.wakeupCount();
        r.r3 = queue.drain((memory, offset, length) -> { }, 4);
    }
}
