package io.sluice.comms;

import io.sluice.core.config.StackConfig;
import io.sluice.core.config.VclConfig;
import io.sluice.core.wire.Ip4Address;
import io.sluice.session.app.AppWorker;
import io.sluice.session.app.SessionApplication;
import io.sluice.session.app.SessionException;
import io.sluice.session.attach.AttachClient;
import io.sluice.session.attach.AttachException;
import io.sluice.session.attach.AttachMessage;
import io.sluice.session.daemon.StackHost;
import io.sluice.session.msg.SessionMessage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An application attached to a stack: the entry point of the library.
 *
 * <p>Threads and workers: each thread that uses the attachment gets a worker of its own (a message queue and
 * an eventfd at the stack), registered on its first use; the first such thread gets the worker made at attach.
 * A worker, and every session made on it, belongs to that one thread. A thread gives its worker back with
 * {@link #releaseThread()}; a thread that ended without doing so has its worker given back at the next call
 * that looks up a worker, and every worker goes at {@link #close()}.
 */
public final class Sluice implements AutoCloseable {

    /** How long a listen waits for the stack's answer. */
    private static final int REPLY_TIMEOUT_MILLIS = 5_000;

    private final SessionApplication application;
    private final VclConfig config;
    /** The stack this JVM runs for itself in embedded mode, stopped at close; null when attached to a daemon. */
    private StackHost embeddedStack;
    private final Map<Thread, AppWorker> workersByThread = new HashMap<>();
    /** Workers shared by the threads of blocking sockets ({@link #sharedWorker()}), made on first use. */
    private final List<AppWorker> sharedWorkers = new ArrayList<>();
    private int nextShared;
    /** The attach's own worker once its thread ended or released it: given to the next new thread. */
    private AppWorker spareFirst;
    /** The open poller of each worker that has one. */
    private final Map<AppWorker, SluicePoller> pollers = new HashMap<>();
    private boolean closed;

    private Sluice(SessionApplication application, VclConfig config) {
        this.application = application;
        this.config = config;
        this.spareFirst = application.firstWorker();
    }

    /**
     * Attaches with the {@code vcl.conf} named by the system property {@code sluice.vcl.config} or the
     * environment variable {@code VCL_CONFIG} (or {@code /etc/vpp/vcl.conf}, or the defaults when that does not
     * exist).
     *
     * @param name the application's name, as the stack shows it
     * @return the attached application
     * @throws io.sluice.core.config.ConfigException naming the file and line of a bad configuration
     * @throws SluiceException {@code NOT_ATTACHED} when no stack answers or it refuses
     */
    public static Sluice attach(String name) throws SluiceException {
        return attach(name, VclConfig.fromEnvironment());
    }

    /**
     * Attaches with a configuration built in code.
     *
     * @param name the application's name, as the stack shows it
     * @param vcl the configuration
     * @return the attached application
     * @throws SluiceException {@code NOT_ATTACHED} when no stack answers or it refuses
     */
    public static Sluice attach(String name, VclConfig vcl) throws SluiceException {
        Objects.requireNonNull(name, "name");
        String what = "attaching application '" + name + "' at " + AttachClient.socketPath(vcl);
        try {
            return new Sluice(SessionApplication.attach(AttachClient.socketPath(vcl),
                    AttachMessage.Attach.of(name, vcl)), vcl);
        } catch (AttachException e) {
            throw SluiceException.of(what, e);
        } catch (IOException e) {
            throw new SluiceException(SluiceException.Code.NOT_ATTACHED,
                    what + ": " + e.getMessage() + " (is the stack running, and is app-socket-api right?)", e);
        }
    }

    /**
     * Embedded mode: starts a stack, its session layer and attach socket inside this JVM (as {@code bin/sluice
     * stack} does in a process of its own) and attaches to it; {@link #close()} detaches and stops the stack.
     *
     * @param name the application's name, as the stack shows it
     * @param startup the stack's configuration: needs {@code session { use-app-socket-api }} and at least one
     *     worker thread ({@code cpu { workers N }}), as no thread of the application runs the graph
     * @param vcl the application's configuration; its {@code app-socket-api} is replaced by the stack's socket
     * @return the attached application
     * @throws IllegalArgumentException when the configuration cannot serve an embedded application
     * @throws SluiceException {@code NOT_ATTACHED} when the stack cannot start or the attach fails
     */
    public static Sluice embedded(String name, StackConfig startup, VclConfig vcl) throws SluiceException {
        if (!startup.session().useAppSocketApi()) {
            throw new IllegalArgumentException("embedded stack for '" + name
                    + "': startup configuration needs session { use-app-socket-api }");
        }
        StackHost host;
        try {
            host = StackHost.start(startup);
        } catch (IOException | RuntimeException e) {
            throw new SluiceException(SluiceException.Code.NOT_ATTACHED, "embedded stack for '" + name
                    + "' did not start: " + e.getMessage(), e);
        }
        try {
            if (host.stack().engine().config().singleThread()) {
                throw new IllegalArgumentException("embedded stack for '" + name + "': needs cpu { workers N } with"
                        + " N >= 1 (single-thread mode needs a thread of its own running the graph)");
            }
            Path socket = host.attachSocket().orElseThrow();
            Sluice sluice = attach(name, new VclConfig(vcl.rxFifoSize(), vcl.txFifoSize(), vcl.segmentSize(),
                    vcl.addSegmentSize(), Optional.of(socket), vcl.useMqEventfd(), vcl.eventQueueSize(),
                    vcl.namespaceId(), vcl.namespaceSecret(), vcl.appScopeLocal(), vcl.appScopeGlobal()));
            sluice.embeddedStack = host;
            return sluice;
        } catch (SluiceException | RuntimeException e) {
            host.close(problem -> e.addSuppressed(new IOException(problem)));
            throw e;
        }
    }

    /** @return the stack this JVM runs in embedded mode, if it is one */
    public Optional<StackHost> embeddedStack() {
        return Optional.ofNullable(embeddedStack);
    }

    /** @return the configuration it attached with (FIFO sizes, scopes, namespace) */
    public VclConfig config() {
        return config;
    }

    /** @return the application's name */
    public String name() {
        return application.name();
    }

    /**
     * The calling thread's worker, registered on first use (ADD_WORKER). Gives back the workers of threads that
     * ended first.
     *
     * @return the worker, to be used on this thread only
     * @throws SluiceException {@code CLOSED} after {@link #close()}, {@code NOT_ATTACHED} if the stack refuses
     */
    public synchronized AppWorker worker() throws SluiceException {
        requireOpen();
        Thread thread = Thread.currentThread();
        AppWorker worker = workersByThread.get(thread);
        if (worker != null) {
            return worker;
        }
        releaseEndedThreads();
        if (spareFirst != null) {
            worker = spareFirst;
            spareFirst = null;
        } else {
            worker = addWorker("thread '" + thread.getName() + "'", false);
        }
        workersByThread.put(thread, worker);
        return worker;
    }

    /** How many shared workers the blocking sockets spread over: half the processors, 1 to 8. */
    public static final int SHARED_WORKERS = Math.clamp(Runtime.getRuntime().availableProcessors() / 2, 1, 8);

    /**
     * A worker several threads share under its lock (see {@link AppWorker#lock()}): what the blocking
     * {@code java.net} sockets of {@code io.sluice.comms.net} use, since a socket may be read on one thread, written
     * on another and closed on a third. Sockets are spread over up to {@link #SHARED_WORKERS} of them in turn.
     *
     * @return the worker for the next socket
     * @throws SluiceException {@code CLOSED} after {@link #close()}, {@code NOT_ATTACHED} if the stack refuses
     */
    public synchronized AppWorker sharedWorker() throws SluiceException {
        requireOpen();
        if (sharedWorkers.size() < SHARED_WORKERS) {
            sharedWorkers.add(addWorker("blocking sockets", true));
        }
        return sharedWorkers.get(nextShared++ % sharedWorkers.size());
    }

    /**
     * Gives the calling thread's worker back (DEL_WORKER), if it has one; its sessions must be closed first, and its
     * poller is of no use afterwards.
     *
     * @throws SluiceException {@code NOT_ATTACHED} if the stack refuses
     */
    public synchronized void releaseThread() throws SluiceException {
        if (!closed) {
            release(Thread.currentThread());
        }
    }

    /** @return the low-level attachment this wraps */
    SessionApplication application() {
        return application;
    }

    /** @return how many threads hold a worker now */
    public synchronized int threadCount() {
        return workersByThread.size();
    }

    /**
     * Binds and listens on the calling thread's worker, for local (cut-through) and global connections.
     *
     * @param address the local address, {@link Ip4Address#ANY} for all of the stack's
     * @param port the port
     * @param backlog connections that may wait for accept
     * @return the listener, owned by this thread
     * @throws SluiceException ADDRESS (in use or not the stack's), TIMED_OUT when the stack does not answer
     */
    public SluiceListener listen(int address, int port, int backlog) throws SluiceException {
        return listen(address, port, backlog, false);
    }

    /**
     * Binds and listens on the calling thread's worker; with {@code handOff}, each accepted connection is handed to
     * whichever thread claims it ({@link SluiceListener#acceptForHandOff()}, {@link SluiceAccepted#claim}) instead of
     * belonging to this one: what an event-loop server with several loops needs. {@link SluiceListener#accept} and
     * {@link SluiceListener#acceptNow()} still work on it, claiming for this thread.
     *
     * @throws SluiceException ADDRESS (in use or not the stack's), TIMED_OUT when the stack does not answer
     */
    public SluiceListener listen(int address, int port, int backlog, boolean handOff) throws SluiceException {
        AppWorker worker = worker();
        int flags = SessionMessage.FLAG_SCOPE_LOCAL | SessionMessage.FLAG_SCOPE_GLOBAL
                | (handOff ? SessionMessage.FLAG_HAND_OFF : 0);
        try {
            return new SluiceListener(this, worker.listen(address, port, backlog, flags, REPLY_TIMEOUT_MILLIS),
                    Thread.currentThread());
        } catch (SessionException e) {
            throw SluiceException.of("listening on " + Ip4Address.format(address) + ":" + port, e);
        } catch (IOException e) {
            throw new SluiceException(SluiceException.Code.TIMED_OUT, "listening on " + Ip4Address.format(address)
                    + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /**
     * Connects from the calling thread's worker and waits until the connection is up or failed.
     *
     * @param address the remote address
     * @param port the remote port
     * @param timeoutMillis how long to wait
     * @return the connection, owned by this thread
     * @throws SluiceException REFUSED, TIMED_OUT, UNREACHABLE, NO_SPACE... naming the address
     */
    public SluiceConnection connect(int address, int port, int timeoutMillis) throws SluiceException {
        AppWorker worker = worker();
        String what = connecting(address, port);
        try {
            return new SluiceConnection(worker.connect(address, port, timeoutMillis), Thread.currentThread());
        } catch (SessionException e) {
            throw SluiceException.of(what, e);
        } catch (IOException e) {
            throw new SluiceException(SluiceException.Code.TIMED_OUT, what + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts a connect from the calling thread's worker and returns at once: the stack's answer is taken with
     * {@link SluicePendingConnect#finish()}, when {@link SluicePendingConnect#isDone()} or a {@link SluicePoller}
     * says it came.
     *
     * @param address the remote address
     * @param port the remote port
     * @param timeoutMillis how long the stack tries (0: its default, 10 s); then it answers TIMED_OUT
     * @return the connect under way, owned by this thread
     * @throws SluiceException CLOSED, NOT_ATTACHED, or OTHER when the stack's queue stays full
     */
    public SluicePendingConnect startConnect(int address, int port, int timeoutMillis) throws SluiceException {
        AppWorker worker = worker();
        try {
            int context = worker.requestConnect(address, port, timeoutMillis,
                    SessionMessage.FLAG_SCOPE_LOCAL | SessionMessage.FLAG_SCOPE_GLOBAL, 0);
            return new SluicePendingConnect(worker, Thread.currentThread(), context, address, port);
        } catch (SessionException e) {
            throw SluiceException.of(connecting(address, port), e);
        }
    }

    /** @return how connect failures name what failed: "connecting to a.b.c.d:port" */
    static String connecting(int address, int port) {
        return "connecting to " + Ip4Address.format(address) + ":" + port;
    }

    /**
     * A readiness set for the calling thread's connections, listeners and connects under way, with room for
     * {@link SluicePoller#DEFAULT_CAPACITY} ready entries per wait.
     *
     * @return the poller, owned by this thread
     * @throws SluiceException OTHER if this thread has an open poller already; CLOSED, NOT_ATTACHED
     */
    public SluicePoller poller() throws SluiceException {
        return poller(SluicePoller.DEFAULT_CAPACITY);
    }

    /**
     * A readiness set for the calling thread's connections, listeners and connects under way. A thread has one open
     * poller at a time (it hears every event its worker drains).
     *
     * @param capacity the most entries one {@link SluicePoller#wait} reports (the rest wait for the next)
     * @return the poller, owned by this thread
     * @throws SluiceException OTHER if this thread has an open poller already; CLOSED, NOT_ATTACHED
     */
    public SluicePoller poller(int capacity) throws SluiceException {
        if (capacity < 1) {
            throw new IllegalArgumentException("poller capacity " + capacity + ": at least 1");
        }
        AppWorker worker = worker();
        synchronized (this) {
            SluicePoller open = pollers.get(worker);
            if (open != null) {
                throw new SluiceException(SluiceException.Code.OTHER, "thread '" + Thread.currentThread().getName()
                        + "' already has " + open + ": a thread has one poller; use it, or close it first");
            }
            SluicePoller poller = new SluicePoller(this, worker, Thread.currentThread(), capacity);
            pollers.put(worker, poller);
            return poller;
        }
    }

    /** A poller was closed: its thread may make another. */
    synchronized void pollerClosed(AppWorker worker) {
        pollers.remove(worker);
    }

    /** Detaches: every worker and session goes. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        workersByThread.clear();
        sharedWorkers.clear();
        pollers.clear();
        spareFirst = null;
        application.close();
        if (embeddedStack != null) {
            embeddedStack.close(problem -> System.getLogger(Sluice.class.getName())
                    .log(System.Logger.Level.WARNING, "stopping the embedded stack of '" + name() + "': " + problem));
        }
    }

    /** @return whether {@link #close()} was called */
    public synchronized boolean isClosed() {
        return closed;
    }

    private void releaseEndedThreads() throws SluiceException {
        List<Thread> ended = new ArrayList<>();
        for (Thread thread : workersByThread.keySet()) {
            if (!thread.isAlive()) {
                ended.add(thread);
            }
        }
        for (Thread thread : ended) {
            release(thread);
        }
    }

    private void release(Thread thread) throws SluiceException {
        AppWorker worker = workersByThread.remove(thread);
        if (worker == null) {
            return;
        }
        if (pollers.remove(worker) != null) {
            worker.observe(null); // the poller goes with its thread; the next thread starts without one
        }
        // The attach's own worker stays for the application's life; it waits for the next thread.
        if (worker == application.firstWorker()) {
            spareFirst = worker;
            return;
        }
        try {
            application.removeWorker(worker);
        } catch (AttachException e) {
            throw SluiceException.of("giving back worker " + worker.index() + " of thread '" + thread.getName()
                    + "'", e);
        } catch (IOException e) {
            throw new SluiceException(SluiceException.Code.NOT_ATTACHED, "giving back worker " + worker.index()
                    + " of thread '" + thread.getName() + "': " + e.getMessage(), e);
        }
    }

    private AppWorker addWorker(String user, boolean shared) throws SluiceException {
        try {
            return shared ? application.addSharedWorker() : application.addWorker();
        } catch (AttachException e) {
            throw SluiceException.of("adding a worker for " + user, e);
        } catch (IOException e) {
            throw new SluiceException(SluiceException.Code.NOT_ATTACHED, "adding a worker for " + user + ": "
                    + e.getMessage(), e);
        }
    }

    private void requireOpen() throws SluiceException {
        if (closed) {
            throw new SluiceException(SluiceException.Code.CLOSED, "application '" + application.name()
                    + "' was closed");
        }
    }

    @Override
    public String toString() {
        return "Sluice[" + application + "]";
    }
}
