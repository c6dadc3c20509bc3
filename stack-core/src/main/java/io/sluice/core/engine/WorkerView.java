package io.sluice.core.engine;

import io.sluice.core.graph.Graph;
import java.util.List;

/**
 * A worker as seen by a control task ({@link Engine#call}): valid only inside the task, which runs on the worker's
 * own thread, so the graph's counters can be read and cleared without races.
 */
public interface WorkerView {

    int workerIndex();

    /** The worker's graph: {@code runtime()}, {@code errors()}, {@code clearCounters()}. */
    Graph graph();

    /** The receive queues this worker polls now. */
    List<RxQueue> rxQueues();

    /** The worker loop's counters. */
    LoopStats loopStats();
}
