package io.sluice.core.engine;

/**
 * A worker loop's counters since it started.
 *
 * @param worker the worker index
 * @param passes loop passes (each: tasks, timers, one graph pass)
 * @param sleeps waits in epoll
 * @param wakeups waits that ended on a descriptor (a device's readiness or the wakeup eventfd) rather than a timeout
 * @param doorbells times another thread woke the sleeping worker through its eventfd (a task or a hand-off)
 * @param tasks control tasks run
 * @param failures passes that threw (a bug: logged to stderr, the worker goes on)
 */
public record LoopStats(int worker, long passes, long sleeps, long wakeups, long doorbells, long tasks,
        long failures) {
}
