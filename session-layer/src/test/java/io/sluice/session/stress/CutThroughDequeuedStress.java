package io.sluice.session.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.sluice.session.cut.ChannelLayout;
import io.sluice.session.fifo.ByteFifo;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * A cut-through writer is never left waiting because the reader skipped a DEQUEUED event. The FIFO is full, the
 * writer asked for a notification, and an earlier DEQUEUED is still in its queue (the pending mark is set). The
 * writer drains that event (clears the mark) and looks for space; the reader frees bytes, sees the request and posts
 * only if it can set the mark. The writer's mark store and head load, and the reader's head store and mark load, form
 * a Dekker pair. Result: (free space the writer saw, DEQUEUED posted 1/0).
 */
@JCStressTest
@Description("Cut-through: the DEQUEUED pending mark never makes the reader skip the event a waiting writer needs")
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "The writer saw no space yet; the reader posts a DEQUEUED.")
@Outcome(id = "16, 0", expect = ACCEPTABLE, desc = "The mark stopped the post; the writer's look saw the space.")
@Outcome(id = "16, 1", expect = ACCEPTABLE, desc = "Both: the writer sees space and gets a spare event.")
@Outcome(id = "0, 0", expect = FORBIDDEN, desc = "Lost wakeup: no space seen and no event posted.")
@Outcome(expect = FORBIDDEN, desc = "Partial free space.")
@State
public class CutThroughDequeuedStress {

    private static final int CAPACITY = 64;
    private static final int DROPPED = 16;

    private final ByteFifo fifo = StressMemory.newFifo(CAPACITY);

    public CutThroughDequeuedStress() {
        fifo.enqueue(StressMemory.pattern(1, CAPACITY), 0, CAPACITY);
        fifo.requestDequeueNotification(ByteFifo.NOTIFY_ALWAYS);
        ChannelLayout.markDequeuedPending(fifo); // the earlier DEQUEUED, still in the writer's queue
    }

    @Actor
    public void writer(II_Result r) {
        ChannelLayout.clearDequeuedPending(fifo); // drain() takes the earlier event
        r.r1 = fifo.freeSpace();
    }

    @Actor
    public void reader(II_Result r) {
        fifo.drop(DROPPED);
        r.r2 = fifo.needsDequeueNotification(0) && ChannelLayout.markDequeuedPending(fifo) ? 1 : 0;
    }
}
