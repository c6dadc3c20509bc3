package io.sluice.core.engine;

import io.sluice.core.config.CpuList;
import io.sluice.core.config.StackConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How the packet engine runs: how many worker threads and on which CPUs, or no workers at all (single-thread mode:
 * the thread that starts the engine runs the graph itself), and the idle behaviour of a worker loop.
 *
 * @param workers worker threads, at least 1 (in single-thread mode 1: the one graph the main thread runs)
 * @param singleThread no worker threads: the thread that calls {@link Engine#start()} runs the graph through
 *     {@link Engine#runOnce()}
 * @param workerCpus the CPU each worker is pinned to, by worker index; empty for unpinned workers
 * @param mainCore the CPU the main thread is pinned to by {@link Engine#start()}, if any
 * @param idleSpinPasses passes without work a worker makes before it sleeps in epoll
 * @param polledSleepNanos the longest sleep of a worker that serves a queue without a readiness descriptor (a
 *     device that can only be polled): it must look again soon; 0 means it never sleeps
 * @param handoffFramesPerPair hand-off frames of 256 buffers each per (sender, receiver) worker pair: how far one
 *     worker may run ahead of another before hand-off drops ({@code handoff-queue-full})
 */
public record EngineConfig(int workers, boolean singleThread, List<Integer> workerCpus, Optional<Integer> mainCore,
        int idleSpinPasses, long polledSleepNanos, int handoffFramesPerPair) {

    /** Idle passes before sleeping unless said otherwise: a few microseconds to a few hundred of spinning. */
    public static final int DEFAULT_IDLE_SPIN_PASSES = 256;
    /** Longest sleep with a polled-only device unless said otherwise: 1 ms. */
    public static final long DEFAULT_POLLED_SLEEP_NANOS = 1_000_000L;
    /** Hand-off frames per worker pair unless said otherwise. */
    public static final int DEFAULT_HANDOFF_FRAMES_PER_PAIR = 32;
    /** Most workers: the hand-off mesh has a queue pair per worker pair. */
    public static final int MAX_WORKERS = 256;

    /** Checks the values and copies the list. */
    public EngineConfig {
        workerCpus = List.copyOf(workerCpus);
        if (workers < 1 || workers > MAX_WORKERS) {
            throw new IllegalArgumentException("workers must be 1 to " + MAX_WORKERS + ", got " + workers);
        }
        if (singleThread && workers != 1) {
            throw new IllegalArgumentException("single-thread mode runs one graph, not " + workers);
        }
        if (!workerCpus.isEmpty() && workerCpus.size() != workers) {
            throw new IllegalArgumentException(workers + " workers but " + workerCpus.size() + " worker CPUs "
                    + workerCpus);
        }
        if (idleSpinPasses < 0 || polledSleepNanos < 0 || handoffFramesPerPair < 1) {
            throw new IllegalArgumentException("idle spin passes, polled sleep and hand-off frames must not be "
                    + "negative (and at least one frame): " + idleSpinPasses + ", " + polledSleepNanos + ", "
                    + handoffFramesPerPair);
        }
    }

    /** {@code workers} unpinned worker threads with the default idle behaviour. */
    public static EngineConfig workers(int workers) {
        return new EngineConfig(workers, false, List.of(), Optional.empty(), DEFAULT_IDLE_SPIN_PASSES,
                DEFAULT_POLLED_SLEEP_NANOS, DEFAULT_HANDOFF_FRAMES_PER_PAIR);
    }

    /** The default: one worker per CPU but one (for the main thread), at least one, unpinned. */
    public static EngineConfig defaults(int availableCpus) {
        return workers(Math.max(1, availableCpus - 1));
    }

    /** No worker threads: the thread that starts the engine runs the graph. */
    public static EngineConfig singleThreadMode() {
        return new EngineConfig(1, true, List.of(), Optional.empty(), DEFAULT_IDLE_SPIN_PASSES,
                DEFAULT_POLLED_SLEEP_NANOS, DEFAULT_HANDOFF_FRAMES_PER_PAIR);
    }

    /**
     * The engine configuration of a {@code startup.conf} {@code cpu} section:
     * <ul>
     *   <li>{@code corelist-workers L}: one worker per listed CPU, pinned there;</li>
     *   <li>{@code workers 0}: single-thread mode;</li>
     *   <li>{@code workers N}: N workers pinned to the first N CPUs from {@code skip-cores} on, leaving out the
     *       main core (as VPP places them); an error if this machine has too few CPUs;</li>
     *   <li>neither: {@link #defaults(int)}, unpinned;</li>
     *   <li>{@code main-core C}: the main thread is pinned to C.</li>
     * </ul>
     *
     * @throws IllegalArgumentException naming the keys when {@code workers N} does not fit the machine's CPUs
     */
    public static EngineConfig from(StackConfig.Cpu cpu, int availableCpus) {
        EngineConfig base;
        if (cpu.corelistWorkers().isPresent()) {
            CpuList list = cpu.corelistWorkers().get();
            base = workers(list.size()).withWorkerCpus(list.cpus());
        } else if (cpu.workers().isPresent() && cpu.workers().get() == 0) {
            base = singleThreadMode();
        } else if (cpu.workers().isPresent()) {
            int n = cpu.workers().get();
            List<Integer> cpus = new ArrayList<>(n);
            for (int c = cpu.skipCores(); c < availableCpus && cpus.size() < n; c++) {
                if (cpu.mainCore().isEmpty() || cpu.mainCore().get() != c) {
                    cpus.add(c);
                }
            }
            if (cpus.size() < n) {
                throw new IllegalArgumentException("cpu: 'workers " + n + "' with 'skip-cores " + cpu.skipCores()
                        + "'" + cpu.mainCore().map(m -> " and 'main-core " + m + "'").orElse("") + " needs " + n
                        + " CPUs for workers, but this machine has " + availableCpus + " CPUs (CPUs left: " + cpus
                        + "); give fewer workers or a corelist-workers");
            }
            base = workers(n).withWorkerCpus(cpus);
        } else {
            base = defaults(availableCpus);
        }
        return base.withMainCore(cpu.mainCore());
    }

    /** This configuration with workers pinned to {@code cpus}, by worker index. */
    public EngineConfig withWorkerCpus(List<Integer> cpus) {
        return new EngineConfig(workers, singleThread, cpus, mainCore, idleSpinPasses, polledSleepNanos,
                handoffFramesPerPair);
    }

    /** This configuration with the main thread pinned to {@code core}, if present. */
    public EngineConfig withMainCore(Optional<Integer> core) {
        return new EngineConfig(workers, singleThread, workerCpus, core, idleSpinPasses, polledSleepNanos,
                handoffFramesPerPair);
    }

    /** This configuration with another spin budget before sleeping. */
    public EngineConfig withIdleSpinPasses(int passes) {
        return new EngineConfig(workers, singleThread, workerCpus, mainCore, passes, polledSleepNanos,
                handoffFramesPerPair);
    }

    /** This configuration with another bound on sleeps while a polled-only device is served. */
    public EngineConfig withPolledSleepNanos(long nanos) {
        return new EngineConfig(workers, singleThread, workerCpus, mainCore, idleSpinPasses, nanos,
                handoffFramesPerPair);
    }

    /** This configuration with another number of hand-off frames per worker pair. */
    public EngineConfig withHandoffFramesPerPair(int frames) {
        return new EngineConfig(workers, singleThread, workerCpus, mainCore, idleSpinPasses, polledSleepNanos,
                frames);
    }

    /** The CPU worker {@code worker} is pinned to, or -1. */
    int cpuOf(int worker) {
        return workerCpus.isEmpty() ? -1 : workerCpus.get(worker);
    }
}
