package io.sluice.session.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.sluice.session.fifo.ByteFifo;
import java.lang.foreign.MemorySegment;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * The consumer's release store of the head against the producer's acquire load: space is handed back only after
 * the bytes in it were read. The FIFO starts full of old bytes; the consumer dequeues the first 16 (copy out, then
 * publish the head) while the producer writes 16 new bytes, which can only land on those same 16. Result: (bytes
 * the producer wrote, old bytes the consumer read, new bytes the consumer read).
 */
@JCStressTest
@Description("ByteFifo: the head is published only after the bytes it frees were read")
@Outcome(id = "0, 16, 0", expect = ACCEPTABLE, desc = "The producer found the FIFO still full and wrote nothing.")
@Outcome(id = "16, 16, 0", expect = ACCEPTABLE,
        desc = "The producer saw the freed space and overwrote it after the consumer had read the old bytes.")
@Outcome(expect = FORBIDDEN, desc = "The producer overwrote bytes the consumer had not finished reading.")
@State
public class FifoReuseStress {

    private static final int CAPACITY = 64;
    private static final int LENGTH = 16;
    private static final byte[] OLD = StressMemory.pattern(0x01, CAPACITY);
    private static final byte[] NEW = StressMemory.pattern(0x81, LENGTH);

    private final ByteFifo fifo = StressMemory.newFifo(CAPACITY);
    private final byte[] received = new byte[LENGTH];

    public FifoReuseStress() {
        fifo.enqueue(OLD, 0, CAPACITY);
    }

    @Actor
    public void producer(III_Result r) {
        r.r1 = fifo.enqueue(NEW, 0, LENGTH);
    }

    @Actor
    public void consumer(III_Result r) {
        int moved = fifo.dequeue(MemorySegment.ofArray(received), 0, LENGTH);
        r.r2 = StressMemory.matching(OLD, received, moved);
        r.r3 = StressMemory.matching(NEW, received, moved);
    }
}
