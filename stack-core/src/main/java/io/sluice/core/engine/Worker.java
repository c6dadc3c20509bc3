package io.sluice.core.engine;

import io.sluice.core.buffer.BufferCache;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.graph.Graph;
import io.sluice.core.graph.GraphBuilder;
import io.sluice.core.iface.Interface;
import io.sluice.core.iface.InterfaceTable;
import io.sluice.core.phy.Device;
import io.sluice.core.sys.CpuAffinity;
import io.sluice.core.sys.Epoll;
import io.sluice.core.sys.NativeAccess;
import io.sluice.core.sys.NativeFd;
import io.sluice.core.sys.SyscallException;
import io.sluice.core.timer.ExpiryHandler;
import io.sluice.core.timer.TimerWheel;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;

/**
 * One worker: its graph, buffer cache, timer wheels, receive queues and the loop that runs them. Everything but the
 * task queue, the doorbell and the {@code running} flag is touched by the worker's own thread only (the thread that
 * ran {@link #setUp}).
 *
 * <p>A loop pass runs the control tasks, advances the timer wheels and runs the graph once. While passes find work
 * the worker keeps polling; after {@link EngineConfig#idleSpinPasses()} idle passes it sleeps in epoll on the
 * readiness descriptors of its receive queues and its wakeup eventfd, until the earliest timer deadline. A queue
 * without a readiness descriptor bounds the sleep to {@link EngineConfig#polledSleepNanos()} (0: no sleep at all).
 */
final class Worker {

    /** Epoll data of the wakeup eventfd; a device descriptor's data is its own number (not negative). */
    private static final long DOORBELL_TOKEN = -1;
    /** Timers expired per wheel per pass at most, so a burst of expiries cannot hold the loop. */
    private static final int EXPIRIES_PER_PASS = 1024;
    /** Failures logged with a stack trace before only every {@link #LOG_EVERY}-th is. */
    private static final int LOGGED_FAILURES = 10;
    private static final int LOG_EVERY = 1000;
    /** Passes a stopping worker makes at most to finish the frames in its graph. */
    private static final int QUIESCE_PASSES = 1000;

    private final int index;
    private final int workerCount;
    private final EngineConfig config;
    private final BufferPool pool;
    private final InterfaceTable interfaces;
    private final GraphFactory factory;
    private final HandoffMesh mesh;
    private final TransmitQueues transmitQueues;
    private final LongSupplier clock;
    private final Doorbell doorbell;
    private final Epoll epoll;
    private final MpscUnboundedAtomicArrayQueue<ControlTask<?>> tasks = new MpscUnboundedAtomicArrayQueue<>(64);
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final View view = new View();

    private final RxQueues rxQueues = new RxQueues();
    private final Map<Integer, Integer> readinessUsers = new HashMap<>();
    private int polledOnlyQueues;

    private TimerWheel[] wheels = new TimerWheel[0];
    private ExpiryHandler[] handlers = new ExpiryHandler[0];

    private volatile boolean running = true;
    private volatile Thread owner;
    private volatile int osThreadId = -1;
    private boolean settingUp;
    private BufferCache cache;
    private Graph graph;
    private int idlePasses;

    // Loop counters: written by the worker only, read by other threads as gauges (racy, never torn on 64-bit JVMs).
    private long passes;
    private long sleeps;
    private long wakeups;
    private long doorbells;
    private long tasksRun;
    private long failures;

    Worker(int index, int workerCount, EngineConfig config, BufferPool pool, InterfaceTable interfaces,
            GraphFactory factory, HandoffMesh mesh, TransmitQueues transmitQueues, LongSupplier clock,
            Doorbell doorbell) {
        this.index = index;
        this.workerCount = workerCount;
        this.config = config;
        this.pool = pool;
        this.interfaces = interfaces;
        this.factory = factory;
        this.mesh = mesh;
        this.transmitQueues = transmitQueues;
        this.clock = clock;
        this.doorbell = doorbell;
        try {
            this.epoll = Epoll.create(64);
            epoll.add(doorbell.fd(), Epoll.EPOLLIN, DOORBELL_TOKEN);
        } catch (SyscallException e) {
            throw new UncheckedIOException(e);
        }
    }

    int index() {
        return index;
    }

    /** The kernel's id of the worker's thread, or -1 before it ran. */
    int osThreadId() {
        return osThreadId;
    }

    CompletableFuture<Void> ready() {
        return ready;
    }

    // ------------------------------------------------------------------------------------------------ set-up

    /** The body of a worker thread: set up, loop until stopped, then finish and release what it holds. */
    void runThread(List<RxQueue> initialQueues) {
        try {
            NativeAccess.prepareCurrentThread();
            int cpu = config.cpuOf(index);
            if (cpu >= 0) {
                CpuAffinity.pin(cpu);
            }
            setUp(initialQueues);
        } catch (Throwable t) {
            ready.completeExceptionally(t);
            return;
        }
        try {
            while (running) {
                iterate();
            }
        } finally {
            quiesce();
        }
    }

    /** Builds the graph on the calling thread, which becomes the worker's thread, and places the initial queues. */
    void setUp(List<RxQueue> initialQueues) {
        owner = Thread.currentThread();
        osThreadId = CpuAffinity.currentThreadId();
        cache = pool.newCache();
        GraphBuilder builder = new GraphBuilder();
        settingUp = true;
        try {
            factory.addNodes(builder, view);
            builder.add(DeviceInputNode.NAME, () -> new DeviceInputNode(rxQueues));
            builder.add(InterfaceOutputNode.NAME, () -> new InterfaceOutputNode(index, interfaces, transmitQueues));
            builder.add(HandoffNode.NAME, () -> new HandoffNode(index, mesh));
            builder.add(HandoffInputNode.NAME, () -> new HandoffInputNode(index, mesh));
            graph = builder.build(pool, cache);
        } catch (RuntimeException | Error e) {
            cache.close();
            throw e;
        } finally {
            settingUp = false;
        }
        for (RxQueue q : initialQueues) {
            addRxQueue(q);
        }
        ready.complete(null);
    }

    // ------------------------------------------------------------------------------------------------ the loop

    /** One pass of the loop and, after enough idle passes, a sleep. Catches what the pass throws (a bug). */
    int iterate() {
        try {
            long now = clock.getAsLong();
            int work = runPass(now);
            if (work > 0) {
                idlePasses = 0;
            } else if (++idlePasses > config.idleSpinPasses()) {
                sleep(now);
                idlePasses = 0;
            }
            return work;
        } catch (RuntimeException | AssertionError | LinkageError e) {
            failed(e);
            return 0;
        }
    }

    /** Runs the tasks, the timers and one graph pass at {@code now}; returns the work done (0: idle). */
    int runPass(long now) {
        passes++;
        int work = runTasks();
        for (int i = 0; i < wheels.length; i++) {
            work += wheels[i].advance(now, handlers[i], EXPIRIES_PER_PASS);
        }
        work += graph.runOnce(now);
        if (graph.hasPendingFrames()) {
            work++;
        }
        return work;
    }

    private int runTasks() {
        int n = 0;
        ControlTask<?> task;
        while (n < 16 && (task = tasks.relaxedPoll()) != null) {
            task.run(view);
            n++;
        }
        tasksRun += n;
        return n;
    }

    private void sleep(long now) {
        long timeout = sleepMillis(now);
        if (timeout == 0 || rxQueues.anyPolling()) {
            return;
        }
        doorbell.announceSleep();
        boolean inputsAnnounced = false;
        try {
            if (!tasks.isEmpty() || mesh.hasFramesFor(index) || graph.hasPendingFrames() || !running) {
                return;
            }
            if (!graph.prepareInputsToSleep()) {
                return;
            }
            inputsAnnounced = true;
            sleeps++;
            int ready = epoll.waitFor((int) timeout);
            for (int i = 0; i < ready; i++) {
                if (epoll.data(i) == DOORBELL_TOKEN) {
                    doorbell.drain();
                    doorbells++;
                }
            }
            if (ready > 0) {
                wakeups++;
            }
        } catch (SyscallException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (inputsAnnounced) {
                graph.inputsAwake();
            }
            doorbell.awake();
        }
    }

    /** How long the worker may sleep: -1 without limit, 0 not at all, else milliseconds. */
    private long sleepMillis(long now) {
        long deadline = TimerWheel.NO_DEADLINE;
        for (TimerWheel wheel : wheels) {
            deadline = Math.min(deadline, wheel.nextDeadline());
        }
        long nanos = deadline == TimerWheel.NO_DEADLINE ? -1 : Math.max(0, deadline - now);
        if (polledOnlyQueues > 0) {
            nanos = nanos < 0 ? config.polledSleepNanos() : Math.min(nanos, config.polledSleepNanos());
        }
        if (nanos < 0) {
            return -1;
        }
        return Math.min(Integer.MAX_VALUE, (nanos + 999_999) / 1_000_000);
    }

    private void failed(Throwable e) {
        failures++;
        if (failures <= LOGGED_FAILURES || failures % LOG_EVERY == 0) {
            System.err.println("sluice: worker " + index + ": loop pass failed (failure " + failures
                    + "); the worker goes on");
            e.printStackTrace();
        }
    }

    // ------------------------------------------------------------------------------------------------ control

    <T> CompletableFuture<T> submit(ControlTask<T> task) {
        tasks.offer(task);
        doorbell.ring();
        return task.result();
    }

    /** Whether the worker's graph was built. */
    boolean isBuilt() {
        return graph != null;
    }

    /** Whether the calling thread is this worker's own (set up and running it). */
    boolean isOwnThread() {
        return owner == Thread.currentThread() && graph != null;
    }

    void runInline(ControlTask<?> task) {
        task.run(view);
    }

    void addRxQueue(RxQueue q) {
        Interface iface = interfaces.get(q.interfaceIndex());
        if (iface == null || rxQueues.contains(iface, q.queue())) {
            return;
        }
        rxQueues.add(iface, q.queue());
        NativeFd fd = iface.device().receiveReadiness(q.queue());
        if (fd != null && readinessUsers.merge(fd.intValue(), 1, Integer::sum) == 1) {
            try {
                epoll.add(fd, Epoll.EPOLLIN, fd.intValue());
            } catch (SyscallException e) {
                throw new UncheckedIOException(e);
            }
        }
        polledOnlyQueues = rxQueues.polledOnly();
    }

    void removeRxQueue(RxQueue q) {
        Interface iface = interfaces.get(q.interfaceIndex());
        if (iface == null || !rxQueues.remove(iface, q.queue())) {
            return;
        }
        Device device = iface.device();
        NativeFd fd = device.receiveReadiness(q.queue());
        if (fd != null && readinessUsers.merge(fd.intValue(), -1, Integer::sum) == 0) {
            readinessUsers.remove(fd.intValue());
            try {
                epoll.delete(fd);
            } catch (SyscallException e) {
                // The device closed its descriptor already: the kernel dropped it from the set.
            }
        }
        polledOnlyQueues = rxQueues.polledOnly();
    }

    // ------------------------------------------------------------------------------------------------ stopping

    /** Asks the loop to stop and wakes it. */
    void stop() {
        running = false;
        doorbell.ring();
    }

    boolean isRunning() {
        return running;
    }

    /**
     * On the worker's thread, after its loop: stops reading devices, runs the graph until the frames in it are
     * done (sent, dropped or handed off), fails the remaining tasks and returns the cache's buffers to the pool.
     */
    void quiesce() {
        if (graph == null) {
            return;
        }
        while (rxQueues.count > 0) {
            removeRxQueue(new RxQueue(rxQueues.interfaces[0].index(), rxQueues.interfaces[0].name(),
                    rxQueues.queueIds[0]));
        }
        long now = clock.getAsLong();
        for (int i = 0; i < QUIESCE_PASSES && graph.hasPendingFrames(); i++) {
            try {
                graph.runOnce(now);
            } catch (RuntimeException | AssertionError | LinkageError e) {
                failed(e);
            }
        }
        failTasks();
        cache.close();
    }

    void failTasks() {
        ControlTask<?> task;
        IllegalStateException closed = new IllegalStateException("worker " + index + " has stopped");
        while ((task = tasks.poll()) != null) {
            task.fail(closed);
        }
    }

    /** Closes the epoll set and the eventfd; after the worker's thread ended. */
    void closeDescriptors() {
        try {
            epoll.close();
        } catch (SyscallException e) {
            // Nothing else to release.
        }
    }

    LoopStats stats() {
        return new LoopStats(index, passes, sleeps, wakeups, doorbells, tasksRun, failures);
    }

    /** What a {@link GraphFactory} and control tasks see of this worker. */
    private final class View implements WorkerResources, WorkerView {

        @Override
        public int workerIndex() {
            return index;
        }

        @Override
        public int workerCount() {
            return workerCount;
        }

        @Override
        public BufferPool pool() {
            return pool;
        }

        @Override
        public BufferCache cache() {
            return cache;
        }

        @Override
        public InterfaceTable interfaces() {
            return interfaces;
        }

        @Override
        public TimerWheel timers(String wheelOwner, int capacity, ExpiryHandler handler) {
            if (!settingUp || owner != Thread.currentThread()) {
                throw new IllegalStateException("timer wheel '" + wheelOwner + "' of worker " + index
                        + ": wheels are created while the worker builds its graph, on its thread");
            }
            TimerWheel wheel = TimerWheel.withDefaults(capacity, clock.getAsLong());
            wheels = Arrays.copyOf(wheels, wheels.length + 1);
            handlers = Arrays.copyOf(handlers, handlers.length + 1);
            wheels[wheels.length - 1] = wheel;
            handlers[handlers.length - 1] = handler;
            return wheel;
        }

        @Override
        public long now() {
            return clock.getAsLong();
        }

        @Override
        public Graph graph() {
            return graph;
        }

        @Override
        public List<RxQueue> rxQueues() {
            return rxQueues.snapshot();
        }

        @Override
        public LoopStats loopStats() {
            return stats();
        }
    }
}
