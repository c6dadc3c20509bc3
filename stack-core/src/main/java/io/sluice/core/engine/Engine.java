package io.sluice.core.engine;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.iface.Interface;
import io.sluice.core.iface.InterfaceTable;
import io.sluice.core.phy.Device;
import io.sluice.core.sys.CpuAffinity;
import io.sluice.core.sys.NativeFd;
import io.sluice.core.sys.SyscallException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The packet engine: worker threads that each run their own instance of the packet graph, the device input and
 * output nodes, hand-off between workers, and the placement of receive queues on workers.
 *
 * <p>Built by the control (main) thread, which then calls {@link #start()}; every other method is for the control
 * thread (or any thread) too, except {@link #runOnce()}, which is the loop body of single-thread mode. The data
 * path runs on the workers and allocates nothing; the control path (placement, tasks, statistics) may.
 *
 * <p><b>Placement.</b> Each receive queue is polled by exactly one worker. As interfaces are added, queue q of a
 * multi-queue interface goes to worker {@code q % workers} (so each TAP queue gets its own worker) and the single
 * queue of other interfaces goes round-robin over the workers. {@link #setRxPlacement} moves a queue: the old
 * worker stops polling it (a task on its thread), then the new one starts (a task on its thread), so the two never
 * poll it at once; frames waiting in the device meanwhile are read by the new worker.
 */
public final class Engine implements AutoCloseable {

    /** How long {@link #start()} waits for the workers to build their graphs, and moves wait for a worker. */
    private static final long WAIT_SECONDS = 30;
    /** How long {@link #close()} waits for all workers to stop. */
    private static final long STOP_MILLIS = 5_000;

    private final EngineConfig config;
    private final BufferPool pool;
    private final InterfaceTable interfaces;
    private final Doorbell[] doorbells;
    private final HandoffMesh mesh;
    private final TransmitQueues transmitQueues;
    private final Worker[] workers;
    private final Thread[] threads;
    /** (interface index, queue) → worker, ordered for {@link #rxPlacement()}. */
    private final Map<Long, Integer> placement = new TreeMap<>();
    private int nextSingleQueueWorker;
    private Thread mainThread;
    private int mainOsThreadId = -1;
    private boolean started;
    private boolean closed;

    /** An engine on the system clock ({@link System#nanoTime()}). */
    public Engine(EngineConfig config, BufferPool pool, InterfaceTable interfaces, GraphFactory factory) {
        this(config, pool, interfaces, factory, System::nanoTime);
    }

    /**
     * An engine on {@code clock} (nanoseconds, {@link System#nanoTime()} semantics), for tests. Interfaces already
     * in {@code interfaces} are placed now; add later ones with {@link #addInterface}.
     */
    public Engine(EngineConfig config, BufferPool pool, InterfaceTable interfaces, GraphFactory factory,
            LongSupplier clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.pool = Objects.requireNonNull(pool, "pool");
        this.interfaces = Objects.requireNonNull(interfaces, "interfaces");
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(clock, "clock");
        int n = config.workers();
        this.doorbells = new Doorbell[n];
        for (int i = 0; i < n; i++) {
            doorbells[i] = new Doorbell();
        }
        this.mesh = new HandoffMesh(n, config.handoffFramesPerPair(), doorbells);
        this.transmitQueues = new TransmitQueues(n);
        this.workers = new Worker[n];
        for (int i = 0; i < n; i++) {
            workers[i] = new Worker(i, n, config, pool, interfaces, factory, mesh, transmitQueues, clock,
                    doorbells[i]);
        }
        this.threads = new Thread[n];
        for (Interface iface : interfaces.all()) {
            place(iface);
        }
    }

    public EngineConfig config() {
        return config;
    }

    HandoffMesh mesh() {
        return mesh;
    }

    /**
     * The eventfd that wakes worker {@code worker} from its sleep (owned by the engine, closed with it). A producer
     * outside the engine, an application posting to a stack queue in shared memory, writes it only after the
     * worker announced its sleep through the queue's input node ({@code InputNode.prepareToSleep}).
     */
    public NativeFd wakeupFd(int worker) {
        return doorbells[Objects.checkIndex(worker, doorbells.length)].fd();
    }

    /** Worker count: 1 in single-thread mode. */
    public int workerCount() {
        return workers.length;
    }

    // ------------------------------------------------------------------------------------------------ lifecycle

    /**
     * Starts the engine: pins the calling (main) thread to the main core if one is configured, then starts the
     * workers and waits until each has built its graph. In single-thread mode the calling thread builds the one
     * graph and must then call {@link #runOnce()} in its loop.
     *
     * @throws IllegalStateException naming the worker when one failed to build its graph (the engine is closed)
     */
    public synchronized void start() {
        if (started || closed) {
            throw new IllegalStateException(closed ? "the engine is closed" : "the engine is started already");
        }
        started = true;
        mainThread = Thread.currentThread();
        mainOsThreadId = CpuAffinity.currentThreadId();
        try {
            if (config.mainCore().isPresent()) {
                CpuAffinity.pin(config.mainCore().get());
            }
        } catch (SyscallException e) {
            throw new UncheckedIOException("cannot pin the main thread to CPU " + config.mainCore().get(), e);
        }
        if (config.singleThread()) {
            try {
                workers[0].setUp(queuesOf(0));
            } catch (RuntimeException e) {
                close();
                throw new IllegalStateException("the graph did not build: " + e, e);
            }
            return;
        }
        for (int i = 0; i < workers.length; i++) {
            Worker worker = workers[i];
            List<RxQueue> initial = queuesOf(i);
            Thread thread = new Thread(() -> worker.runThread(initial), "sluice-worker-" + i);
            thread.setDaemon(true);
            threads[i] = thread;
            thread.start();
        }
        for (Worker worker : workers) {
            try {
                worker.ready().get(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException | InterruptedException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                close();
                throw new IllegalStateException("worker " + worker.index() + " did not start: " + cause, cause);
            }
        }
    }

    /**
     * Single-thread mode: one pass of the loop on the calling thread (the one that called {@link #start()}): tasks,
     * timers, the graph, and a sleep in epoll after enough idle passes.
     *
     * @return the work done, 0 when idle
     */
    public int runOnce() {
        if (!config.singleThread()) {
            throw new IllegalStateException("runOnce is for single-thread mode; this engine runs "
                    + workers.length + " worker threads");
        }
        if (!workers[0].isOwnThread()) {
            throw new IllegalStateException("runOnce must be called by the thread that started the engine");
        }
        return workers[0].iterate();
    }

    /**
     * Stops the workers (waiting a bounded time), then frees every buffer they still held: frames in hand-off
     * queues, buffers in their caches. In single-thread mode, call it from the thread that ran the graph.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Worker worker : workers) {
            worker.stop();
        }
        boolean allStopped = true;
        if (config.singleThread()) {
            if (workers[0].isOwnThread()) {
                workers[0].quiesce();
            } else if (workers[0].isBuilt()) {
                allStopped = false;
                System.err.println("sluice: engine closed from another thread than the one running its graph; "
                        + "buffers of that graph are not freed");
            }
        } else {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_MILLIS);
            for (int i = 0; i < threads.length; i++) {
                if (threads[i] == null) {
                    continue;
                }
                try {
                    threads[i].join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (threads[i].isAlive()) {
                    allStopped = false;
                    System.err.println("sluice: worker " + i + " did not stop within " + STOP_MILLIS
                            + " ms; its buffers are not freed");
                }
            }
        }
        if (allStopped) {
            try (BufferCache cache = pool.newCache()) {
                mesh.freeInFlight(cache);
            }
            for (Worker worker : workers) {
                worker.failTasks();
                worker.closeDescriptors();
            }
            for (Doorbell doorbell : doorbells) {
                try {
                    doorbell.close();
                } catch (SyscallException e) {
                    // Nothing left to release.
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ control

    /**
     * Wakes worker {@code worker} if it sleeps, so it looks at work another thread queued for it (a UDP socket's
     * datagram to send): a volatile read when it is awake, an eventfd write when it sleeps. Any thread.
     */
    public void wake(int worker) {
        doorbells[worker].ring();
    }

    /**
     * Runs {@code task} on worker {@code worker}'s thread and completes the future with its result (or its
     * exception). Inline when called on that thread (single-thread mode from the loop's own thread). Before
     * {@link #start()} the task waits until the worker has built its graph.
     *
     * @throws IllegalArgumentException if there is no such worker
     */
    public <T> CompletableFuture<T> call(int worker, Function<WorkerView, T> task) {
        Worker w = worker(worker);
        ControlTask<T> control = new ControlTask<>(task);
        if (w.isOwnThread()) {
            w.runInline(control);
            return control.result();
        }
        synchronized (this) {
            // Under the engine's lock: a task is either refused here or queued before close() fails what is left.
            if (closed) {
                control.fail(new IllegalStateException("the engine is closed"));
                return control.result();
            }
            return w.submit(control);
        }
    }

    /** Each worker's loop counters (gauges read while the workers run). */
    public List<LoopStats> loopStats() {
        List<LoopStats> out = new ArrayList<>(workers.length);
        for (Worker worker : workers) {
            out.add(worker.stats());
        }
        return out;
    }

    /** The main thread and the worker threads ({@code show threads}). */
    public synchronized List<EngineThread> threads() {
        List<EngineThread> out = new ArrayList<>();
        if (mainThread != null) {
            out.add(new EngineThread(mainThread.getName(), "main", config.singleThread() ? 0 : -1,
                    config.mainCore().orElse(-1), mainThread.threadId(), mainOsThreadId, mainThread.getState()));
        }
        for (int i = 0; i < threads.length; i++) {
            Thread t = threads[i];
            if (t != null) {
                out.add(new EngineThread(t.getName(), "worker", i, config.cpuOf(i), t.threadId(),
                        workers[i].osThreadId(), t.getState()));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------ interfaces

    /**
     * Adds {@code device} to the interface table and places its receive queues on workers (served at once if the
     * engine runs).
     */
    public synchronized Interface addInterface(Device device) {
        if (closed) {
            throw new IllegalStateException("the engine is closed");
        }
        Interface iface = interfaces.add(device);
        place(iface);
        return iface;
    }

    private void place(Interface iface) {
        Device device = iface.device();
        transmitQueues.register(iface.index(), device);
        int queues = device.receiveQueueCount();
        for (int q = 0; q < queues; q++) {
            int queue = q;
            int worker = queues > 1 ? q % workers.length : nextSingleQueueWorker++ % workers.length;
            placement.put(key(iface.index(), q), worker);
            if (started) {
                workers[worker].submit(new ControlTask<>(view -> addRx(worker, iface, queue)));
            }
        }
    }

    /** Every receive queue and the worker that polls it, by interface index and queue. */
    public synchronized List<RxPlacement> rxPlacement() {
        List<RxPlacement> out = new ArrayList<>(placement.size());
        for (Map.Entry<Long, Integer> e : placement.entrySet()) {
            Interface iface = interfaces.get((int) (e.getKey() >>> 32));
            out.add(new RxPlacement(new RxQueue(iface.index(), iface.name(), (int) (long) e.getKey()), e.getValue()));
        }
        out.sort(Comparator.comparingInt((RxPlacement p) -> p.queue().interfaceIndex())
                .thenComparingInt(p -> p.queue().queue()));
        return out;
    }

    /**
     * Moves receive queue {@code queue} of {@code interfaceName} to {@code worker}, waiting until the move is done.
     *
     * @throws IllegalArgumentException naming the interface, queue or worker that does not exist
     * @throws IllegalStateException if a worker did not take part in the move in time
     */
    public synchronized void setRxPlacement(String interfaceName, int queue, int worker) {
        Interface iface = interfaces.byName(interfaceName);
        if (iface == null || !placement.containsKey(key(iface.index(), 0))) {
            List<String> names = new ArrayList<>();
            for (Interface i : interfaces.all()) {
                names.add(i.name());
            }
            throw new IllegalArgumentException("no interface named '" + interfaceName + "' (interfaces: "
                    + (names.isEmpty() ? "none" : String.join(", ", names)) + ")");
        }
        int queues = iface.device().receiveQueueCount();
        if (queue < 0 || queue >= queues) {
            throw new IllegalArgumentException("interface " + interfaceName + " has receive queue"
                    + (queues == 1 ? " 0" : "s 0 to " + (queues - 1)) + ", not " + queue);
        }
        worker(worker);
        int old = placement.get(key(iface.index(), queue));
        if (old == worker) {
            return;
        }
        placement.put(key(iface.index(), queue), worker);
        if (!started || closed) {
            return;
        }
        await(workers[old].submit(new ControlTask<>(view -> removeRx(old, iface, queue))), old);
        await(workers[worker].submit(new ControlTask<>(view -> addRx(worker, iface, queue))), worker);
    }

    private Void addRx(int worker, Interface iface, int queue) {
        workers[worker].addRxQueue(new RxQueue(iface.index(), iface.name(), queue));
        return null;
    }

    private Void removeRx(int worker, Interface iface, int queue) {
        workers[worker].removeRxQueue(new RxQueue(iface.index(), iface.name(), queue));
        return null;
    }

    private static void await(CompletableFuture<?> step, int worker) {
        try {
            step.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("worker " + worker + " failed to change its receive queues: "
                    + e.getCause(), e.getCause());
        } catch (TimeoutException | InterruptedException e) {
            throw new IllegalStateException("worker " + worker + " did not change its receive queues within "
                    + WAIT_SECONDS + " s", e);
        }
    }

    private List<RxQueue> queuesOf(int worker) {
        List<RxQueue> out = new ArrayList<>();
        for (RxPlacement p : rxPlacement()) {
            if (p.worker() == worker) {
                out.add(p.queue());
            }
        }
        return out;
    }

    private Worker worker(int worker) {
        if (worker < 0 || worker >= workers.length) {
            throw new IllegalArgumentException("no worker " + worker + ": the engine runs " + workers.length
                    + (workers.length == 1 ? " worker (0)" : " workers (0 to " + (workers.length - 1) + ")"));
        }
        return workers[worker];
    }

    private static long key(int ifIndex, int queue) {
        return (long) ifIndex << 32 | queue;
    }
}
