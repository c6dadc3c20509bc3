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
import org.openjdk.jcstress.infra.results.ZII_Result;

/**
 * No lost wakeup: the consumer announces a sleep on an empty queue (prepareToSleep() stores the sleeping flag,
 * then looks at the head slot) while a producer commits a message (stores the slot sequence, then looks at the
 * flag). Either the consumer sees the message and stays awake, or the producer sees the flag and rings. Result:
 * (consumer may sleep, doorbell rings, messages left for the arbiter to drain).
 */
@JCStressTest
@Description("MessageQueue: prepareToSleep() against commit() never loses a wakeup")
@Outcome(id = "true, 1, 1", expect = ACCEPTABLE, desc = "The consumer sleeps; the producer saw the flag and rang.")
@Outcome(id = "false, 0, 1", expect = ACCEPTABLE,
        desc = "The consumer saw the message and stays awake; the producer saw no sleeper.")
@Outcome(id = "false, 1, 1", expect = ACCEPTABLE,
        desc = "The consumer saw the message; the producer also rang before the announcement was withdrawn.")
@Outcome(id = "true, 0, 1", expect = FORBIDDEN,
        desc = "Lost wakeup: the consumer sleeps on a committed message and nobody rang.")
@Outcome(expect = FORBIDDEN, desc = "More than one ring for one sleep, or the message went missing.")
@State
public class MessageQueueSleepStress {

    private final CountingDoorbell doorbell = new CountingDoorbell();
    private final MessageQueue queue = StressMemory.newQueue(4, 64, Producers.SINGLE, doorbell);

    @Actor
    public void producer() {
        queue.commit(queue.tryClaim());
    }

    @Actor
    public void consumer(ZII_Result r) {
        r.r1 = queue.prepareToSleep();
    }

    @Arbiter
    public void arbiter(ZII_Result r) {
        r.r2 = doorbell.rings();
        r.r3 = queue.drain((memory, offset, length) -> { }, 4);
    }
}
