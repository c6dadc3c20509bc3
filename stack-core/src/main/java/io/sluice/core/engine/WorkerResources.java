package io.sluice.core.engine;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.iface.InterfaceTable;
import io.sluice.core.timer.ExpiryHandler;
import io.sluice.core.timer.TimerWheel;

/**
 * What a {@link GraphFactory} gets to build one worker's nodes: the worker's identity, the shared pool and interface
 * table, the worker's own buffer cache, and timer wheels that the worker's loop advances.
 */
public interface WorkerResources {

    /** This worker's index, 0 to {@link #workerCount()} − 1. */
    int workerIndex();

    /** How many workers the engine runs (1 in single-thread mode). */
    int workerCount();

    BufferPool pool();

    /** This worker's cache of free buffers (the one its nodes' {@code ctx.cache()} returns). */
    BufferCache cache();

    InterfaceTable interfaces();

    /**
     * A new timer wheel of {@code capacity} timers (1 ms ticks) for one user (ARP, IP reassembly, TCP...): the
     * worker loop advances it every pass with {@code handler}, and sleeps no longer than its
     * {@link TimerWheel#nextDeadline()}.
     * Only during the worker's setup (while {@link GraphFactory#addNodes} or a node factory runs).
     *
     * @param owner names the user in diagnostics
     */
    TimerWheel timers(String owner, int capacity, ExpiryHandler handler);

    /** The engine's clock (nanoseconds, {@link System#nanoTime()} unless a test injected another). */
    long now();
}
