package io.sluice.session.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.sluice.session.fifo.ByteFifo;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The producer's release store of the tail against the consumer's acquire load: a consumer that sees the new tail
 * sees every byte it covers. Result: (bytes dequeued, how many of them are the bytes written).
 */
@JCStressTest
@Description("ByteFifo: the tail is published only after the bytes it covers are written")
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "The consumer looked before the tail moved: nothing to read.")
@Outcome(id = "16, 16", expect = ACCEPTABLE, desc = "The consumer saw the new tail and all 16 bytes behind it.")
@Outcome(expect = FORBIDDEN,
        desc = "The tail covered bytes not yet written (stale data), or the tail moved in pieces.")
@State
public class FifoPublicationStress {

    private static final int LENGTH = 16;
    private static final byte[] MESSAGE = StressMemory.pattern(0x41, LENGTH);

    private final ByteFifo fifo = StressMemory.newFifo(64);
    private final byte[] received = new byte[LENGTH];

    @Actor
    public void producer() {
        fifo.enqueue(MESSAGE, 0, LENGTH);
    }

    @Actor
    public void consumer(II_Result r) {
        int moved = fifo.dequeue(received, 0, LENGTH);
        r.r1 = moved;
        r.r2 = StressMemory.matching(MESSAGE, received, moved);
    }
}
