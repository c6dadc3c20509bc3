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
import org.openjdk.jcstress.infra.results.ZII_Result;

/**
 * The has-event flag never loses an event. An event is pending (the flag is set) and the consumer is handling it:
 * it clears the flag, then looks for bytes. Meanwhile the producer writes and calls setEvent(), which says whether
 * the producer must post a new event. The producer's tail store and flag load, and the consumer's flag store and
 * tail load, form a Dekker pair: at least one side must see the other's store. Result: (setEvent() result, bytes
 * the consumer saw, flag at the end).
 *
 * <p>The final flag follows from the first result: setEvent() stores 1 only when it returns true, and a true
 * compare-and-set from 0 comes after the consumer's clear; so the flag ends set exactly when setEvent() was true.
 */
@JCStressTest
@Description("ByteFifo: setEvent()/clearEvent() never lose the event for bytes the consumer did not see")
@Outcome(id = "true, 0, 1", expect = ACCEPTABLE,
        desc = "The consumer cleared and found nothing; the producer saw the clear and posts a new event.")
@Outcome(id = "true, 8, 1", expect = ACCEPTABLE,
        desc = "The consumer already saw the bytes; the producer also posts an event (harmless, it finds nothing).")
@Outcome(id = "false, 8, 0", expect = ACCEPTABLE,
        desc = "The producer rode on the pending event; the consumer, handling it, saw the bytes.")
@Outcome(id = "false, 0, 0", expect = FORBIDDEN,
        desc = "Lost event: the producer posted nothing and the consumer missed the bytes.")
@Outcome(expect = FORBIDDEN, desc = "Torn byte count, or a flag that disagrees with setEvent()'s result.")
@State
public class FifoEventStress {

    private static final int LENGTH = 8;
    private static final byte[] MESSAGE = StressMemory.pattern(0x10, LENGTH);

    private final ByteFifo fifo = StressMemory.newFifo(64);

    public FifoEventStress() {
        fifo.setEvent(); // the earlier event the consumer is now handling
    }

    @Actor
    public void producer(ZII_Result r) {
        fifo.enqueue(MESSAGE, 0, LENGTH);
        r.r1 = fifo.setEvent();
    }

    @Actor
    public void consumer(ZII_Result r) {
        fifo.clearEvent();
        r.r2 = fifo.readableBytes();
    }

    @Arbiter
    public void arbiter(ZII_Result r) {
        r.r3 = fifo.hasEvent() ? 1 : 0;
    }
}
