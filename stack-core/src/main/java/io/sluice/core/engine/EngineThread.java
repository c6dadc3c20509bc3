package io.sluice.core.engine;

/**
 * One thread of the engine ({@code show threads}).
 *
 * @param name the thread's name
 * @param kind {@code main} (the thread that started the engine; in single-thread mode it also runs worker 0) or
 *     {@code worker}
 * @param worker the worker index it runs, or -1
 * @param cpu the CPU it is pinned to, or -1
 * @param threadId the Java thread id
 * @param osThreadId the kernel's thread id (as {@code top -H} shows it), or -1 before the thread ran
 * @param state the thread's state
 */
public record EngineThread(String name, String kind, int worker, int cpu, long threadId, int osThreadId,
        Thread.State state) {
}
