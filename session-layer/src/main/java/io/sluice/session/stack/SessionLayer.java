package io.sluice.session.stack;

import io.sluice.core.engine.WorkerResources;
import io.sluice.core.graph.GraphBuilder;
import io.sluice.core.stack.Stack;
import io.sluice.core.tcp.layer.TcpBufferFactory;
import io.sluice.core.tcp.layer.TcpEvents;
import io.sluice.core.tcp.layer.TcpLayer;
import io.sluice.core.tcp.layer.TcpListener;
import io.sluice.core.tcp.layer.TcpOpenException;
import io.sluice.core.wire.Ip4Address;
import io.sluice.session.attach.AttachException;
import io.sluice.session.attach.AttachHandler;
import io.sluice.session.attach.AttachMessage;
import io.sluice.session.attach.MemfdAttachHandler;
import io.sluice.session.mq.MessageQueue;
import io.sluice.core.sys.UnixSocket;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The stack side of the session layer for TCP: applications attached through {@link MemfdAttachHandler} post
 * requests to per-stack-worker queues in shared memory, which each worker's {@code session-queue} node drains; the
 * worker's {@link SessionWorker} runs them against TCP and posts replies and events to the application workers'
 * queues. Build it before {@link Stack#start()} (it adds its node to every worker's graph) and serve the attach
 * socket with {@link #attachHandler()}.
 */
public final class SessionLayer {

    /** How long a CONNECT waits for the handshake when the request names no timeout. */
    public static final long DEFAULT_CONNECT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** How long a detach waits for TCP to hand back the application's FIFO pairs before giving up on unmapping. */
    static final long DETACH_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int EPHEMERAL_LISTEN_FIRST = 49152;
    private static final int EPHEMERAL_LISTEN_ATTEMPTS = 256;
    private static final int REPORTED_FAULTS = 10;

    private final Stack stack;
    private final MemfdAttachHandler memfd;
    private final AtomicReferenceArray<SessionWorker> workers;
    private final ListenerTable listeners = new ListenerTable();
    private final Map<Integer, StackApplication> byIndex = new ConcurrentHashMap<>();
    private final SessionEvents activeEvents = new SessionEvents(this);
    private final AtomicInteger faults = new AtomicInteger();
    private volatile StackApplication[] applications = new StackApplication[0];
    private final CutThroughSessions cutThrough;
    private volatile long connectTimeoutNanos = DEFAULT_CONNECT_TIMEOUT_NANOS;

    /**
     * A session layer for {@code stack} (not started yet) whose applications {@code memfd} attaches: adds the
     * {@code session-queue} node to every worker's graph.
     */
    public SessionLayer(Stack stack, MemfdAttachHandler memfd) {
        this.stack = Objects.requireNonNull(stack, "stack");
        this.memfd = Objects.requireNonNull(memfd, "attach handler");
        if (memfd.stackWorkers() != stack.engine().workerCount()) {
            throw new IllegalArgumentException("the attach handler makes " + memfd.stackWorkers()
                    + " stack queues per application, the stack has " + stack.engine().workerCount() + " workers");
        }
        this.workers = new AtomicReferenceArray<>(stack.engine().workerCount());
        this.cutThrough = new CutThroughSessions(memfd);
        stack.addWorkerNodes(this::addNodes);
    }

    private void addNodes(GraphBuilder builder, WorkerResources resources) {
        int capacity = stack.tcp().config().maxConnectionsPerWorker();
        SessionWorker worker = new SessionWorker(this, resources.workerIndex(), capacity);
        worker.useTimers(resources.timers("session", capacity + 1, worker));
        workers.set(resources.workerIndex(), worker);
        builder.add(SessionQueueNode.NAME, () -> new SessionQueueNode(worker));
    }

    /** What the attach server calls: {@link MemfdAttachHandler}'s work, and the session layer's around it. */
    public AttachHandler attachHandler() {
        return new Attachments();
    }

    /** Sets the connect timeout of requests that name none. */
    public void setConnectTimeout(long nanos) {
        if (nanos <= 0) {
            throw new IllegalArgumentException("connect timeout " + nanos + " ns must be positive");
        }
        connectTimeoutNanos = nanos;
    }

    /** @return how many cut-through channels are open (between pairs of application workers) */
    public int cutThroughChannelCount() {
        return cutThrough.channelCount();
    }

    /** Closes what the session layer itself holds (the cut-through channels); after the attach server closed. */
    public void close() {
        cutThrough.closeAll();
    }

    /** Every worker's sessions, read on each worker's thread (control path). */
    public List<SessionInfo> sessions() throws IOException {
        List<SessionInfo> all = new ArrayList<>();
        for (int w = 0; w < workers.length(); w++) {
            SessionWorker worker = workers.get(w);
            if (worker != null) {
                all.addAll(stack.onWorker(w, view -> worker.describe()));
            }
        }
        all.addAll(cutThrough.describe());
        return all;
    }

    /** How many sessions application {@code appIndex} holds (0 when it is not attached). */
    public int sessionCount(int appIndex) {
        StackApplication app = byIndex.get(appIndex);
        return app == null ? 0 : app.sessions.get();
    }

    /** How many listeners application {@code appIndex} holds. */
    public int listenerCount(int appIndex) {
        StackApplication app = byIndex.get(appIndex);
        return app == null ? 0 : listeners.count(app);
    }

    // ---- for the workers ----

    SessionWorker worker(int w) {
        return workers.get(w);
    }

    StackApplication[] applications() {
        return applications;
    }

    ListenerTable listeners() {
        return listeners;
    }

    TcpLayer tcp() {
        return stack.tcp();
    }

    TcpEvents activeEvents() {
        return activeEvents;
    }

    long connectTimeoutNanos() {
        return connectTimeoutNanos;
    }

    CutThroughSessions cutThrough() {
        return cutThrough;
    }

    /**
     * Whether {@code address} is one of the stack's own (a connect to it may be cut through): an interface's, or
     * 127.0.0.0/8, the stack's loopback, which only cut-through connections reach.
     */
    boolean isLocalAddress(int address) {
        return stack.fib().isLocal(address) || Ip4Address.isLoopback(address);
    }

    /** Listens on {@code port}, or on a free port from the dynamic range when it is 0. */
    TcpListener listen(int address, int port, int backlog, TcpBufferFactory buffers, TcpEvents events) {
        if (port != 0) {
            return stack.tcp().listen(address, port, backlog, buffers, events);
        }
        int span = 65536 - EPHEMERAL_LISTEN_FIRST;
        int start = ThreadLocalRandom.current().nextInt(span);
        TcpOpenException last = null;
        for (int i = 0; i < EPHEMERAL_LISTEN_ATTEMPTS; i++) {
            try {
                return stack.tcp().listen(address, EPHEMERAL_LISTEN_FIRST + (start + i) % span, backlog, buffers,
                        events);
            } catch (TcpOpenException e) {
                if (e.reason() != TcpOpenException.Reason.ADDRESS_IN_USE) {
                    throw e;
                }
                last = e;
            }
        }
        throw last;
    }

    /** Logs a fault the session layer survived (the first few, then every thousandth). */
    void report(String what, Throwable e) {
        int n = faults.incrementAndGet();
        if (n <= REPORTED_FAULTS || n % 1000 == 0) {
            System.err.println("sluice session layer: " + what + ": " + e);
        }
    }

    // ---- applications coming and going (the attach server's thread) ----

    private void register(StackApplication app) {
        byIndex.put(app.index, app);
        synchronized (this) {
            StackApplication[] grown = Arrays.copyOf(applications, applications.length + 1);
            grown[grown.length - 1] = app;
            applications = grown;
        }
        // A worker asleep announced its sleep only in the queues it knew: wake each, so it announces in this one too.
        for (int w = 0; w < workers.length(); w++) {
            stack.engine().wake(w);
        }
    }

    private synchronized void unregister(StackApplication app) {
        applications = Arrays.stream(applications).filter(a -> a != app).toArray(StackApplication[]::new);
    }

    private void addPort(StackApplication app, int appWorker) throws AttachException {
        app.setPort(appWorker, new AppWorkerPort(app, appWorker, memfd.workerQueue(app.index, appWorker),
                workers.length()));
    }

    /**
     * Takes an application away: its listeners closed, then on every worker (a task on its thread) its sessions
     * reset toward the network and its backlog dropped; once TCP has handed back every FIFO pair (bounded wait),
     * {@link MemfdAttachHandler#detach} unmaps its segments. Memory a worker may still touch is never unmapped: if
     * the pairs do not come back in time, the application's memory stays mapped and the fault is reported.
     */
    private void detach(int appIndex) {
        StackApplication app = byIndex.get(appIndex);
        if (app == null) {
            memfd.detach(appIndex);
            return;
        }
        app.markDetaching();
        for (TcpListener listener : listeners.removeAll(app)) {
            listener.close();
        }
        unregister(app);
        for (int w = 0; w < workers.length(); w++) {
            SessionWorker worker = workers.get(w);
            if (worker == null) {
                continue;
            }
            boolean first = w == 0;
            try {
                stack.onWorker(w, view -> {
                    if (first) { // the peers of its cut-through sessions hear RESET through this worker
                        cutThrough.detach(worker, app);
                    }
                    worker.detach(app);
                    return null;
                });
            } catch (IOException e) {
                report("detaching " + app + " on stack worker " + w, e);
            }
        }
        long deadline = System.nanoTime() + DETACH_WAIT_NANOS;
        while ((app.sessions.get() > 0 || app.fifos.inUse() > 0) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        byIndex.remove(appIndex);
        if (app.sessions.get() > 0 || app.fifos.inUse() > 0) {
            report("detaching " + app, new IllegalStateException(app.sessions.get() + " sessions and "
                    + app.fifos.inUse() + " FIFO pairs still held by TCP after "
                    + TimeUnit.NANOSECONDS.toMillis(DETACH_WAIT_NANOS) + " ms; its memory stays mapped"));
            return;
        }
        memfd.detach(appIndex);
    }

    /** The attach handler the server calls: {@link MemfdAttachHandler} plus the session layer's bookkeeping. */
    private final class Attachments implements AttachHandler {

        @Override
        public Grant<AttachMessage.AttachReply> attach(AttachMessage.Attach request, String namespace,
                UnixSocket.PeerCredentials peer) throws AttachException {
            Grant<AttachMessage.AttachReply> grant = memfd.attach(request, namespace, peer);
            int appIndex = grant.reply().appIndex();
            try {
                MessageQueue[] queues = new MessageQueue[workers.length()];
                for (int w = 0; w < queues.length; w++) {
                    queues[w] = memfd.stackQueue(appIndex, w);
                }
                StackApplication app = new StackApplication(appIndex, request.appName(), namespace,
                        request.scopeLocal(), request.scopeGlobal(), memfd.segments(appIndex),
                        queues, SessionLayer.this);
                addPort(app, grant.reply().worker().index());
                register(app);
                return grant;
            } catch (AttachException | RuntimeException e) {
                memfd.detach(appIndex);
                throw e;
            }
        }

        @Override
        public Grant<AttachMessage.AddWorkerReply> addWorker(int appIndex) throws AttachException {
            Grant<AttachMessage.AddWorkerReply> grant = memfd.addWorker(appIndex);
            StackApplication app = byIndex.get(appIndex);
            if (app != null) {
                addPort(app, grant.reply().worker().index());
            }
            return grant;
        }

        @Override
        public void delWorker(int appIndex, int workerIndex) throws AttachException {
            StackApplication app = byIndex.get(appIndex);
            if (app != null) {
                app.setPort(workerIndex, null); // events for it are counted as no-app-worker from now on
            }
            memfd.delWorker(appIndex, workerIndex);
        }

        @Override
        public void detach(int appIndex) {
            SessionLayer.this.detach(appIndex);
        }
    }
}
