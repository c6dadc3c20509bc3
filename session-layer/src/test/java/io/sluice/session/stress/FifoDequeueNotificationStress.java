package io.sluice.session.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.sluice.session.fifo.ByteFifo;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * A producer blocked on a full FIFO is never left waiting for a notification nobody sends. The producer asks to
 * be told when space frees (NOTIFY_IF_FULL), then checks the free space again; the consumer drops bytes from the
 * full FIFO, then asks whether to notify. The request and the re-check, and the head store and the request check,
 * form a Dekker pair. Result: (free space the producer saw, notification needed 1/0, flags left requested).
 */
@JCStressTest
@Description("ByteFifo: requestDequeueNotification()/needsDequeueNotification() never lose a space wakeup")
@Outcome(id = "0, 1, 0", expect = ACCEPTABLE,
        desc = "The producer saw no space yet; the consumer saw the request and notifies.")
@Outcome(id = "16, 1, 0", expect = ACCEPTABLE,
        desc = "Both saw each other: the producer sees space and also gets a (spare) notification.")
@Outcome(id = "16, 0, 2", expect = ACCEPTABLE,
        desc = "The consumer checked before the request; the producer's re-check sees the space.")
@Outcome(id = "0, 0, 2", expect = FORBIDDEN,
        desc = "Lost wakeup: the producer saw a full FIFO and the consumer sent no notification.")
@Outcome(expect = FORBIDDEN, desc = "Partial free space, or request flags that disagree with the decision.")
@State
public class FifoDequeueNotificationStress {

    private static final int CAPACITY = 64;
    private static final int DROPPED = 16;

    private final ByteFifo fifo = StressMemory.newFifo(CAPACITY);

    public FifoDequeueNotificationStress() {
        fifo.enqueue(StressMemory.pattern(1, CAPACITY), 0, CAPACITY);
    }

    @Actor
    public void producer(III_Result r) {
        fifo.requestDequeueNotification(ByteFifo.NOTIFY_IF_FULL);
        r.r1 = fifo.freeSpace();
    }

    @Actor
    public void consumer(III_Result r) {
        int before = fifo.readableBytes();
        fifo.drop(DROPPED);
        r.r2 = fifo.needsDequeueNotification(before) ? 1 : 0;
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r3 = fifo.requestedDequeueNotification();
    }
}
