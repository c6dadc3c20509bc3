package io.sluice.session.app;

import io.sluice.core.sys.EventFd;
import io.sluice.core.sys.SyscallException;
import io.sluice.core.wire.Ip4Address;
import io.sluice.session.attach.AttachClient;
import io.sluice.session.attach.AttachedWorker;
import io.sluice.session.cut.CutThroughEnd;
import io.sluice.session.cut.CutThroughEvent;
import io.sluice.session.cut.CutThroughHandler;
import io.sluice.session.cut.CutThroughRole;
import io.sluice.session.fifo.ByteFifo;
import io.sluice.session.mq.MessageHandler;
import io.sluice.session.mq.MessageQueue;
import io.sluice.session.msg.SessionHandle;
import io.sluice.session.msg.SessionMessage;
import io.sluice.session.msg.SessionStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * One application worker: the thread-confined end of the session layer. It posts requests to the stack queues (a
 * session's to the queue of the stack worker that owns it), drains its own message queue ({@link #poll}), keeps
 * the state of its sessions and listeners up to date from what it drains, and sleeps on its eventfd when there is
 * nothing to do ({@link #await}).
 *
 * <p>Two levels of use: non-blocking ({@link #requestListen}, {@link #requestConnect}, then {@link #poll} with a
 * {@link SessionEvents} — an event loop), and blocking ({@link #listen}, {@link #connect}, {@link #accept}, and
 * {@link AppSession#readFully}-style calls, which poll and sleep until their answer comes).
 *
 * <p>Not thread-safe: a worker and its sessions are used by one thread at a time. Draining, posting IO events and
 * reading or writing FIFOs allocate nothing; starting and ending sessions and listeners may.
 *
 * <p>A <em>shared</em> worker ({@link SessionApplication#addSharedWorker()}) is used by several threads, each holding
 * its {@link #lock()} for every call on the worker, its sessions and listeners. Waiting is leader/follower: of the
 * threads waiting in {@link #waitUntil}, one sleeps on the eventfd for all (without the lock, so others may read and
 * write meanwhile) and drains the queue when it wakes; the others wait for its signal. No other thread drains while
 * it sleeps, so the queue keeps one consumer. {@link #wakeWaiters()} wakes them all, for a close from another thread.
 */
public final class AppWorker {

    /** Polls of the queue before a wait sleeps on the eventfd: cheap, and saves a system call under load. */
    static final int SPIN_POLLS = 64;
    /** How long a post waits for room in a full stack queue before it gives up. */
    static final long POST_TIMEOUT_NANOS = 2_000_000_000L;
    /** Messages handled per {@link #poll} call when the caller does not say. */
    static final int POLL_LIMIT = 256;
    /** Extra time a blocking connect waits beyond the connect timeout it asked the stack for. */
    static final int REPLY_MARGIN_MILLIS = 2_000;

    private final SessionApplication app;
    private final int index;
    private final MessageQueue queue;
    private final AttachedWorker attached;
    private final MessageQueue[] stackQueues;
    private final MessageHandler dispatcher = this::dispatch;
    private final CutThroughHandler channelDispatcher = this::onChannelEvent;
    /**
     * Sessions by the handle's own fields, so a lookup allocates nothing: row {@code 2 * stack worker} holds the
     * TCP sessions by table index, row {@code 2 * stack worker + 1} the cut-through ones.
     */
    private AppSession[][] sessions;
    /** This worker's cut-through channels: it drains their queues and sleeps on them too. */
    private ChannelInput[] channels = new ChannelInput[0];
    /** The channel being drained ({@link #onChannelEvent} finds the session by slot in it). */
    private ChannelInput draining;
    private int seenChannelsRemoved;
    private final Map<Long, AppListener> listeners = new HashMap<>();
    /** Replies to requests, by context, until their caller takes them. */
    private final Map<Integer, Reply> replies = new HashMap<>();
    /** Connect requests whose caller gave up: their connection is reset when it comes. */
    /** Contexts of CONNECTs and MOVEs whose callers gave up: the session their answer brings is reset. */
    private final Set<Integer> abandonedRequests = new HashSet<>();
    private SessionEvents events;
    /** Hears what a {@link #poll} without a handler of its own drains (the blocking calls' polls too); or null. */
    private SessionEvents observer;
    private int nextContext = 1;
    private int nextStackQueue;
    private int live;
    private long strayEvents;
    /** For a shared worker: held for every use; null for a worker confined to one thread. */
    private final ReentrantLock lock;
    /** Signalled by the sleeping thread of a shared worker each time it wakes and drains. */
    private final Condition progress;
    /** Whether a thread of a shared worker sleeps on the eventfd for all (no one else drains meanwhile). */
    private boolean sleeperActive;
    /** How long one sleep of a shared worker's waiter lasts at most before it looks again. */
    private static final long SHARED_WAIT_SLICE_NANOS = 250_000_000L;

    /** What the stack answered to one request. */
    record Reply(int type, SessionStatus status, long handle, Object subject) {
    }

    AppWorker(SessionApplication app, AttachedWorker attached, AttachClient client, boolean shared) {
        this.app = app;
        this.lock = shared ? new ReentrantLock() : null;
        this.progress = shared ? lock.newCondition() : null;
        this.index = attached.index();
        this.attached = attached;
        this.queue = attached.queue();
        this.stackQueues = new MessageQueue[client.stackQueueCount()];
        for (int w = 0; w < stackQueues.length; w++) {
            stackQueues[w] = client.stackQueue(w);
        }
        this.sessions = new AppSession[2 * stackQueues.length][16];
        this.nextStackQueue = index % stackQueues.length;
    }

    /** @return the worker's number within its application */
    public int index() {
        return index;
    }

    /** @return the application it belongs to */
    public SessionApplication application() {
        return app;
    }

    /** @return its live sessions (connected or accepted, not yet cleaned up) */
    public int sessionCount() {
        return live;
    }

    /** @return events for sessions this worker no longer knows (late events after a cleanup) */
    public long strayEvents() {
        return strayEvents;
    }

    /** @return the eventfd the stack writes when this worker sleeps, for an external event loop to wait on */
    public EventFd eventFd() {
        return attached.doorbell().eventFd();
    }

    // ------------------------------------------------------------------------------------------------ requests

    /**
     * Posts LISTEN; BOUND follows (see {@link SessionEvents#onBound}).
     *
     * @param address a local address of the stack, or 0 for all
     * @param port the port, or 0 for one the stack picks
     * @param scopeFlags {@link SessionMessage#FLAG_SCOPE_LOCAL} and/or {@link SessionMessage#FLAG_SCOPE_GLOBAL}
     * @return the request's context, echoed in its reply
     */
    public int requestListen(int address, int port, int backlog, int scopeFlags) throws SessionException {
        int context = newContext();
        MessageQueue target = stackQueues[0];
        long position = claim(target, "LISTEN");
        MemorySegment m = target.memory();
        long at = target.payloadOffset(position);
        SessionMessage.begin(m, at, SessionMessage.LISTEN);
        SessionMessage.setContext(m, at, context);
        SessionMessage.setAppWorker(m, at, index);
        SessionMessage.setAddress(m, at, address, port);
        SessionMessage.setFlags(m, at, scopeFlags);
        SessionMessage.setValue(m, at, backlog);
        target.commit(position);
        return context;
    }

    /**
     * Posts CONNECT to the next stack queue in turn (the session will live on that stack worker); CONNECTED
     * follows.
     *
     * @param timeoutMillis how long the stack tries (0: its default)
     * @param localAddress the local address to use, or 0 for the route's
     * @return the request's context
     */
    public int requestConnect(int remoteAddress, int remotePort, int timeoutMillis, int scopeFlags, int localAddress)
            throws SessionException {
        int context = newContext();
        MessageQueue target = stackQueues[nextStackQueue];
        nextStackQueue = (nextStackQueue + 1) % stackQueues.length;
        long position = claim(target, "CONNECT");
        MemorySegment m = target.memory();
        long at = target.payloadOffset(position);
        SessionMessage.begin(m, at, SessionMessage.CONNECT);
        SessionMessage.setContext(m, at, context);
        SessionMessage.setAppWorker(m, at, index);
        SessionMessage.setAddress(m, at, remoteAddress, remotePort);
        SessionMessage.setFlags(m, at, scopeFlags);
        SessionMessage.setValue(m, at, timeoutMillis);
        SessionMessage.setLocal(m, at, localAddress, 0);
        target.commit(position);
        return context;
    }

    /**
     * Binds a listener and waits for the stack's answer.
     *
     * @throws SessionException with the stack's status (ADDRESS_IN_USE, ADDRESS_NOT_AVAILABLE...) or TIMED_OUT
     */
    public AppListener listen(int address, int port, int backlog, int scopeFlags, int timeoutMillis)
            throws IOException {
        Reply reply = awaitReply(requestListen(address, port, backlog, scopeFlags), timeoutMillis, "LISTEN");
        if (reply.status != SessionStatus.OK) {
            throw new SessionException(reply.status, "listen on port " + port + ": " + reply.status.meaning());
        }
        return (AppListener) reply.subject;
    }

    /**
     * Connects and waits until the connection is established or fails.
     *
     * @throws SessionException REFUSED, TIMED_OUT, UNREACHABLE, NO_PORT, NO_FIFO_SPACE... from the stack
     */
    public AppSession connect(int remoteAddress, int remotePort, int timeoutMillis) throws IOException {
        int context = requestConnect(remoteAddress, remotePort, timeoutMillis,
                SessionMessage.FLAG_SCOPE_LOCAL | SessionMessage.FLAG_SCOPE_GLOBAL, 0);
        Reply reply = awaitReply(context, timeoutMillis + REPLY_MARGIN_MILLIS, "CONNECT");
        if (reply.status != SessionStatus.OK) {
            throw new SessionException(reply.status, "connect to "
                    + Ip4Address.format(remoteAddress) + ":" + remotePort + ": "
                    + reply.status.meaning());
        }
        return (AppSession) reply.subject;
    }

    /**
     * Waits for the next session accepted on {@code listener}.
     *
     * @return the session, or null if none came within {@code timeoutMillis}
     */
    public AppSession accept(AppListener listener, int timeoutMillis) throws IOException {
        AppSession session = listener.poll();
        if (session != null) {
            return session;
        }
        waitUntil(() -> listener.pending() > 0 || listener.isClosed(), timeoutMillis);
        return listener.poll();
    }

    /**
     * Claims a session a hand-off listener accepted, on any worker of the application: posts MOVE and waits for the
     * stack's MOVED. The session is this worker's from then on; if the peer closed or reset it meanwhile, it says so.
     *
     * @throws SessionException the stack's status (INVALID_HANDLE: it is gone, or was claimed already; NO_FIFO_SPACE
     *     cut through) or TIMED_OUT
     */
    public AppSession move(AppHandOff handOff, int timeoutMillis) throws IOException {
        int context = requestMove(handOff);
        Reply reply;
        try {
            reply = awaitReply(context, timeoutMillis, "MOVE");
        } catch (SessionException e) {
            abandonConnect(context); // a MOVED that comes later is reset: nobody waits for it
            throw e;
        }
        if (reply.status != SessionStatus.OK) {
            throw new SessionException(reply.status, "claiming " + handOff + ": " + reply.status.meaning());
        }
        return (AppSession) reply.subject;
    }

    /**
     * Posts MOVE for a hand-off; MOVED follows ({@link #moved(int)}).
     *
     * @return the request's context
     */
    public int requestMove(AppHandOff handOff) throws SessionException {
        return post(SessionMessage.MOVE, handOff.handle(), 0, 0, 0, 0, 0);
    }

    /**
     * The result of a {@link #requestMove}, for an event loop that does not block.
     *
     * @return the session once MOVED came; null while it has not
     * @throws SessionException the stack's status when the move was refused
     */
    public AppSession moved(int context) throws SessionException {
        return (AppSession) takeResult(context, "move");
    }

    /**
     * Refuses a hand-off nobody will claim: the connection is reset (a cut-through connector is refused). Waits for
     * the stack's CLEANUP, so nothing of it is left.
     */
    public void reject(AppHandOff handOff, int timeoutMillis) throws IOException {
        int context = post(SessionMessage.ABORT, handOff.handle(), 0, 0, 0, 0, 0);
        Reply reply = awaitReply(context, timeoutMillis, "ABORT");
        if (reply.type != SessionMessage.CLEANUP && reply.status != SessionStatus.OK) {
            throw new SessionException(reply.status, "rejecting " + handOff + ": " + reply.status.meaning());
        }
    }

    /** Closes a listener (UNLISTEN) and waits for the stack's answer; sessions accepted on it stay. */
    public void unlisten(AppListener listener, int timeoutMillis) throws IOException {
        int context = post(SessionMessage.UNLISTEN, listener.handle(), 0, 0, 0, 0, 0);
        Reply reply = awaitReply(context, timeoutMillis, "UNLISTEN");
        if (reply.status != SessionStatus.OK) {
            throw new SessionException(reply.status, "unlisten " + listener + ": " + reply.status.meaning());
        }
    }

    // ------------------------------------------------------------------------------------------------ draining

    /**
     * Drains up to {@code limit} messages from the worker's queue: updates sessions and listeners, completes
     * requests, and tells {@code handler} (null: nobody).
     *
     * @return how many messages were handled
     */
    public int poll(SessionEvents handler, int limit) {
        if (lock != null) {
            requireLocked();
            if (sleeperActive) {
                return 0; // the sleeping thread drains when it wakes: the queue keeps one consumer
            }
        }
        events = handler != null ? handler : observer;
        try {
            int handled = queue.drain(dispatcher, limit);
            for (ChannelInput channel : channels) {
                draining = channel;
                handled += channel.end.drain(channelDispatcher);
            }
            if (app.channelsRemoved() != seenChannelsRemoved) {
                closeRemovedChannels();
            }
            return handled;
        } finally {
            events = null;
            draining = null;
        }
    }

    /**
     * Sets the handler that hears every event drained by a {@link #poll} given none (null: nobody), including the
     * polls inside blocking calls ({@link #waitUntil}, {@link #accept}...): a readiness set kept from the events, such
     * as comms-lib's poller, then misses none of them, whichever call drained the queue.
     */
    public void observe(SessionEvents observer) {
        this.observer = observer;
    }

    /**
     * For an event loop that sleeps on {@link #eventFd()} itself instead of in {@link #await}: announces the sleep on
     * every queue this worker drains, so the next message rings the eventfd. Withdraw it with {@link #withdrawSleep()}
     * once awake.
     *
     * @return true if the caller may sleep now; false if a message is already waiting (nothing stays announced)
     */
    public boolean announceSleep() {
        if (!queue.prepareToSleep()) {
            return false;
        }
        for (ChannelInput channel : channels) {
            if (!channel.end.prepareToSleep()) {
                withdrawSleep();
                return false;
            }
        }
        return true;
    }

    /** Withdraws {@link #announceSleep()}'s announcements (harmless where none was made). */
    public void withdrawSleep() {
        queue.cancelSleep();
        for (ChannelInput channel : channels) {
            channel.end.cancelSleep();
        }
    }

    /** {@link #poll(SessionEvents, int)} with {@link #POLL_LIMIT} and no handler. */
    public int poll() {
        return poll(null, POLL_LIMIT);
    }

    /**
     * Waits until the queue has a message or {@code timeoutMillis} pass: a short spin, then a sleep on the eventfd
     * (announced to the stack first, so its next post rings).
     *
     * @return whether a message is waiting
     */
    public boolean await(int timeoutMillis) {
        for (int i = 0; i < SPIN_POLLS; i++) {
            if (hasInput()) {
                return true;
            }
            Thread.onSpinWait();
        }
        if (timeoutMillis <= 0) {
            return hasInput();
        }
        // Announce the sleep on every queue this worker consumes (they all ring its one eventfd), then look again.
        if (!queue.prepareToSleep()) {
            return true;
        }
        int announced = 0;
        boolean sleep = true;
        for (; announced < channels.length; announced++) {
            if (!channels[announced].end.prepareToSleep()) {
                sleep = false;
                break;
            }
        }
        try {
            if (sleep) {
                attached.doorbell().await(timeoutMillis);
            }
        } catch (SyscallException e) {
            throw new UncheckedIOException(new IOException("worker " + index + " of " + app + ": waiting on its"
                    + " eventfd: " + e.getMessage(), e));
        } finally {
            queue.cancelSleep();
            for (int i = 0; i < announced; i++) {
                channels[i].end.cancelSleep();
            }
        }
        return hasInput();
    }

    private boolean hasInput() {
        if (!queue.isEmpty()) {
            return true;
        }
        for (ChannelInput channel : channels) {
            if (!channel.end.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Polls and waits until {@code condition} holds or {@code timeoutMillis} pass.
     *
     * @return whether the condition holds
     */
    public boolean waitUntil(BooleanSupplier condition, int timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        if (lock != null) {
            return waitShared(condition, deadline);
        }
        while (true) {
            poll();
            if (condition.getAsBoolean()) {
                return true;
            }
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return false;
            }
            if (!await((int) Math.min(left, 250)) && !app.checkConnection()) {
                // The stack is gone: its sessions failed with it (forget), nothing more will come.
                return condition.getAsBoolean();
            }
        }
    }

    /**
     * {@link #waitUntil} on a shared worker, with its lock held: the first waiter sleeps on the eventfd (lock
     * released) and drains when it wakes, then signals the others, who re-check their conditions. An interrupt does
     * not end the wait (as with a blocking socket read); the thread's interrupt status is kept.
     */
    private boolean waitShared(BooleanSupplier condition, long deadline) {
        requireLocked();
        boolean interrupted = false;
        try {
            while (true) {
                if (!sleeperActive) {
                    poll();
                }
                if (condition.getAsBoolean()) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                if (sleeperActive) {
                    try {
                        progress.awaitNanos(Math.min(left, SHARED_WAIT_SLICE_NANOS));
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                    continue;
                }
                sleeperActive = true;
                boolean input;
                lock.unlock();
                try {
                    input = await((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left,
                            SHARED_WAIT_SLICE_NANOS))));
                } finally {
                    lock.lock();
                    sleeperActive = false;
                }
                poll();
                progress.signalAll();
                if (!input && !app.checkConnection()) {
                    return condition.getAsBoolean();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** @return the lock every thread of a shared worker holds while it uses the worker or its sessions */
    public Lock lock() {
        if (lock == null) {
            throw new IllegalStateException(this + " is confined to one thread, not shared: it has no lock");
        }
        return lock;
    }

    /** @return whether several threads may use this worker under its {@link #lock()} */
    public boolean isShared() {
        return lock != null;
    }

    /**
     * Shared worker, lock held: wakes every thread waiting in {@link #waitUntil} (the sleeper through its own
     * eventfd) so they re-check their conditions, e.g. after another thread closed what they wait on.
     */
    public void wakeWaiters() {
        requireLocked();
        progress.signalAll();
        if (sleeperActive) {
            attached.doorbell().ring();
        }
    }

    private void requireLocked() {
        if (lock == null || !lock.isHeldByCurrentThread()) {
            throw new IllegalStateException(this + ": a shared worker is used with its lock held");
        }
    }

    private Reply awaitReply(int context, int timeoutMillis, String what) throws SessionException {
        waitUntil(() -> replies.containsKey(context), timeoutMillis);
        Reply reply = replies.remove(context);
        if (reply == null) {
            if (!app.isConnected()) {
                throw new SessionException(SessionStatus.ABORTED, what + ": the stack closed the attach connection"
                        + " (it stopped or died); attach again when it is back");
            }
            throw new SessionException(SessionStatus.TIMED_OUT, what + ": the stack did not answer within "
                    + timeoutMillis + " ms");
        }
        return reply;
    }

    /**
     * The result of a {@link #requestConnect}, for an event loop that does not block.
     *
     * @return the session once CONNECTED came; null while it has not
     * @throws SessionException the stack's status when the connect failed (the result is taken either way)
     */
    public AppSession connected(int context) throws SessionException {
        return (AppSession) takeResult(context, "connect");
    }

    /**
     * The result of a {@link #requestListen}, for an event loop that does not block.
     *
     * @return the listener once BOUND came; null while it has not
     * @throws SessionException the stack's status when the listen failed
     */
    public AppListener bound(int context) throws SessionException {
        return (AppListener) takeResult(context, "listen");
    }

    /** Takes the reply to {@code context}: its subject, null if it has not come, or the refusal as an exception. */
    private Object takeResult(int context, String what) throws SessionException {
        Reply reply = replies.remove(context);
        if (reply == null) {
            return null;
        }
        if (reply.status != SessionStatus.OK) {
            throw new SessionException(reply.status, what + ": " + reply.status.meaning());
        }
        return reply.subject;
    }

    /**
     * Gives up on a {@link #requestConnect}: a connection that is (or will be) made for it is reset at once instead
     * of waiting for a caller that will never take it.
     */
    public void abandonConnect(int context) {
        Reply reply = replies.remove(context);
        if (reply == null) {
            abandonedRequests.add(context);
        } else if (reply.subject instanceof AppSession session) {
            session.abort();
        }
    }

    /** @return whether the reply to {@code context} came (for callers of the non-blocking requests) */
    public boolean hasReply(int context) {
        return replies.containsKey(context);
    }

    private void dispatch(MemorySegment m, long at, int length) {
        int type = SessionMessage.type(m, at);
        long handle = SessionMessage.handle(m, at);
        switch (type) {
            case SessionMessage.RX -> {
                AppSession session = lookup(handle);
                if (session != null) {
                    session.markReadable();
                    if (events != null) {
                        events.onReadable(session);
                    }
                }
            }
            case SessionMessage.TX_SPACE -> {
                AppSession session = lookup(handle);
                if (session != null && events != null) {
                    events.onWritable(session);
                }
            }
            case SessionMessage.BOUND -> bound(m, at, handle);
            case SessionMessage.UNLISTENED -> {
                SessionStatus status = status(m, at);
                AppListener listener = status == SessionStatus.OK ? listeners.remove(handle) : null;
                if (listener != null) {
                    listener.markClosed();
                }
                replies.put(SessionMessage.context(m, at), new Reply(type, status, handle, listener));
            }
            case SessionMessage.CONNECTED -> connected(m, at, handle);
            case SessionMessage.ACCEPTED -> accepted(m, at, handle);
            case SessionMessage.MOVED -> moved(m, at, handle);
            case SessionMessage.DISCONNECTED -> {
                AppSession session = lookup(handle);
                if (session != null) {
                    session.markPeerClosed();
                    if (events != null) {
                        events.onPeerClosed(session);
                    }
                }
            }
            case SessionMessage.RESET -> {
                AppSession session = lookup(handle);
                if (session != null) {
                    SessionStatus status = status(m, at);
                    session.markReset(status);
                    if (events != null) {
                        events.onReset(session, status);
                    }
                }
            }
            case SessionMessage.CLEANUP -> {
                AppSession session = lookup(handle);
                if (session != null) {
                    remove(session);
                    session.markCleanedUp();
                    if (events != null) {
                        events.onCleanup(session);
                    }
                }
                int context = SessionMessage.context(m, at);
                if (context != 0) {
                    replies.put(context, new Reply(type, SessionStatus.OK, handle, session));
                }
            }
            case SessionMessage.SHUTDOWN_REPLY, SessionMessage.OPTION_REPLY ->
                    replies.put(SessionMessage.context(m, at), new Reply(type, status(m, at), handle, null));
            case SessionMessage.INFO_REPLY -> replies.put(SessionMessage.context(m, at), new Reply(type, status(m, at),
                    handle, TcpInfo.read(m, at)));
            case SessionMessage.ERROR -> {
                SessionStatus status = status(m, at);
                int context = SessionMessage.context(m, at);
                if (context != 0) {
                    replies.put(context, new Reply(type, status, handle, null));
                }
                if (events != null) {
                    events.onError(context, handle, SessionMessage.value(m, at), status);
                }
            }
            default -> strayEvents++;
        }
    }

    private void bound(MemorySegment m, long at, long handle) {
        SessionStatus status = status(m, at);
        AppListener listener = null;
        if (status == SessionStatus.OK) {
            listener = new AppListener(this, handle, SessionMessage.address(m, at), SessionMessage.port(m, at));
            listeners.put(handle, listener);
        }
        int context = SessionMessage.context(m, at);
        replies.put(context, new Reply(SessionMessage.BOUND, status, handle, listener));
        if (events != null) {
            events.onBound(context, listener, status);
        }
    }

    private void connected(MemorySegment m, long at, long handle) {
        SessionStatus status = status(m, at);
        int context = SessionMessage.context(m, at);
        AppSession session = null;
        if (status == SessionStatus.OK) {
            session = sessionOrReset(m, at, handle);
            if (session == null) {
                status = SessionStatus.INTERNAL;
            }
        }
        if (abandonedRequests.remove(context)) {
            // Its caller gave up (closed or timed out) before the answer came: nobody will use the connection.
            if (session != null) {
                session.abort();
            }
            return;
        }
        replies.put(context, new Reply(SessionMessage.CONNECTED, status, handle, session));
        if (events != null) {
            events.onConnected(context, session, status);
        }
    }

    private void accepted(MemorySegment m, long at, long handle) {
        AppListener listener = listeners.get(SessionMessage.otherHandle(m, at));
        int flags = SessionMessage.flags(m, at);
        if ((flags & SessionMessage.FLAG_HAND_OFF) != 0) {
            if (listener == null) {
                postQuietly(SessionMessage.ABORT, handle); // the listener closed here: nobody will claim it
                return;
            }
            listener.enqueue(new AppHandOff(handle, listener, SessionMessage.address(m, at), SessionMessage.port(m,
                    at), SessionMessage.localAddress(m, at), SessionMessage.localPort(m, at),
                    (flags & SessionMessage.FLAG_CUT_THROUGH) != 0));
            if (events != null) {
                events.onAccepted(listener, null);
            }
            return;
        }
        AppSession session = sessionOrReset(m, at, handle);
        if (session == null) {
            return;
        }
        if (listener == null) {
            // Accepted just as the listener closed here: nobody will take it.
            session.abort();
            return;
        }
        listener.enqueue(session);
        if (events != null) {
            events.onAccepted(listener, session);
        }
    }

    /** MOVED: the claimed session, made as for ACCEPTED, with what happened to it before it moved. */
    private void moved(MemorySegment m, long at, long handle) {
        SessionStatus status = status(m, at);
        int context = SessionMessage.context(m, at);
        AppSession session = null;
        if (status == SessionStatus.OK) {
            session = sessionOrReset(m, at, handle);
            int value = SessionMessage.value(m, at);
            if (session == null) {
                status = SessionStatus.INTERNAL;
            } else if ((value & SessionMessage.MOVED_RESET) != 0) {
                SessionStatus reset = SessionStatus.ofCode(value >>> 16);
                session.markReset(reset == null ? SessionStatus.RESET : reset);
            } else if ((value & SessionMessage.MOVED_PEER_CLOSED) != 0) {
                session.markPeerClosed();
            }
        }
        if (abandonedRequests.remove(context)) {
            if (session != null) {
                session.abort(); // its claimer gave up waiting
            }
            return;
        }
        replies.put(context, new Reply(SessionMessage.MOVED, status, handle, session));
    }

    /**
     * {@link #newSession}, or, when the stack made the session but this side cannot reach its FIFOs, null after
     * resetting it and reporting why.
     */
    private AppSession sessionOrReset(MemorySegment m, long at, long handle) {
        try {
            return newSession(m, at, handle);
        } catch (IOException | RuntimeException e) {
            postQuietly(SessionMessage.ABORT, handle);
            System.err.println("sluice: " + app + " worker " + index + ": " + SessionMessage.typeName(
                    SessionMessage.type(m, at)) + " " + SessionHandle.format(handle) + ": " + e.getMessage());
            return null;
        }
    }

    /**
     * Makes the session of a CONNECTED or ACCEPTED: views of its FIFOs in the segment the message names, or, cut
     * through, in the channel it names (segment id = channel id, tx offset = slot).
     */
    private AppSession newSession(MemorySegment m, long at, long handle) throws IOException {
        boolean cutThrough = (SessionMessage.flags(m, at) & SessionMessage.FLAG_CUT_THROUGH) != 0;
        int kind = cutThrough ? SessionHandle.KIND_CUT_THROUGH : SessionHandle.KIND_SESSION;
        if (SessionHandle.kind(handle) != kind || SessionHandle.worker(handle) >= stackQueues.length) {
            throw new SessionException(SessionStatus.INVALID_HANDLE, "the stack sent " + SessionHandle.format(handle)
                    + ", which names no stack worker of the " + stackQueues.length + " this application knows");
        }
        MessageQueue stackQueue = stackQueues[SessionHandle.worker(handle)];
        AppSession session;
        if (cutThrough) {
            // A connect's session is this application's connector end, an accepted one its accepter end.
            CutThroughRole role = SessionMessage.type(m, at) == SessionMessage.CONNECTED ? CutThroughRole.CONNECTOR
                    : CutThroughRole.ACCEPTER; // ACCEPTED, or MOVED of an accepted one
            ChannelInput channel = channelInput(SessionMessage.segmentId(m, at), role);
            int slot = (int) SessionMessage.txOffset(m, at);
            if (slot >= channel.end.description().sessionSlots()) {
                throw new SessionException(SessionStatus.INTERNAL, "cut-through slot " + slot + " is outside channel "
                        + channel.end.description().channelId() + "'s " + channel.end.description().sessionSlots());
            }
            session = new AppSession(this, handle, stackQueue, channel.end, slot, SessionMessage.address(m, at),
                    SessionMessage.port(m, at), SessionMessage.localAddress(m, at), SessionMessage.localPort(m, at));
            channel.bySlot[slot] = session;
        } else {
            MemorySegment segment = app.segment(SessionMessage.segmentId(m, at));
            ByteFifo tx = ByteFifo.attach(slice(segment, SessionMessage.txOffset(m, at)));
            ByteFifo rx = ByteFifo.attach(slice(segment, SessionMessage.rxOffset(m, at)));
            session = new AppSession(this, handle, stackQueue, rx, tx, SessionMessage.address(m, at),
                    SessionMessage.port(m, at), SessionMessage.localAddress(m, at), SessionMessage.localPort(m, at));
        }
        register(session);
        return session;
    }

    /** This worker's input for channel {@code id}, opening it (from its CHANNEL_ADD) on first use. */
    private ChannelInput channelInput(long id, CutThroughRole role) throws IOException {
        for (ChannelInput channel : channels) {
            if (channel.end.description().channelId() == id && channel.end.role() == role) {
                return channel;
            }
        }
        ChannelInput channel = new ChannelInput(app.channel(id, role, index));
        channels = Arrays.copyOf(channels, channels.length + 1);
        channels[channels.length - 1] = channel;
        return channel;
    }

    /** A cut-through event: the peer wrote to a session's FIFO (RX) or read from it (DEQUEUED). */
    private void onChannelEvent(int type, int slot) {
        AppSession session = draining.bySlot[slot];
        if (session == null) {
            strayEvents++;
            return;
        }
        if (type == CutThroughEvent.RX) {
            session.markReadable();
            if (events != null) {
                events.onReadable(session);
            }
        } else if (events != null) {
            events.onWritable(session);
        }
    }

    /** Closes the channels the stack removed (it removes a channel only once no session uses it). */
    private void closeRemovedChannels() {
        seenChannelsRemoved = app.channelsRemoved();
        for (CutThroughEnd removed : app.takeRemovedChannels(index)) {
            int at = -1;
            for (int i = 0; i < channels.length; i++) {
                if (channels[i].end == removed) {
                    at = i;
                }
            }
            if (at >= 0) {
                ChannelInput[] fewer = new ChannelInput[channels.length - 1];
                System.arraycopy(channels, 0, fewer, 0, at);
                System.arraycopy(channels, at + 1, fewer, at, channels.length - at - 1);
                channels = fewer;
            }
            removed.close();
        }
    }

    /** A channel this worker drains, with its sessions by slot. */
    private static final class ChannelInput {
        final CutThroughEnd end;
        final AppSession[] bySlot;

        ChannelInput(CutThroughEnd end) {
            this.end = end;
            this.bySlot = new AppSession[end.description().sessionSlots()];
        }
    }

    private static MemorySegment slice(MemorySegment segment, long offset) throws SessionException {
        if (offset >= segment.byteSize() || (offset & 63) != 0) {
            throw new SessionException(SessionStatus.INTERNAL, "FIFO offset " + offset + " is outside the segment of "
                    + segment.byteSize() + " bytes or not aligned");
        }
        return segment.asSlice(offset);
    }

    // ------------------------------------------------------------------------------------------------ sessions

    private static int row(long handle) {
        boolean cutThrough = SessionHandle.kind(handle) == SessionHandle.KIND_CUT_THROUGH;
        return 2 * SessionHandle.worker(handle) + (cutThrough ? 1 : 0);
    }

    private void register(AppSession session) {
        int w = row(session.handle());
        int i = SessionHandle.index(session.handle());
        if (i >= sessions[w].length) {
            sessions[w] = Arrays.copyOf(sessions[w], Math.max(i + 1, sessions[w].length * 2));
        }
        if (sessions[w][i] == null) {
            live++;
        }
        sessions[w][i] = session;
    }

    private void remove(AppSession session) {
        if (session.channel() != null) {
            for (ChannelInput channel : channels) {
                if (channel.end == session.channel() && channel.bySlot[session.slot()] == session) {
                    channel.bySlot[session.slot()] = null;
                }
            }
        }
        int w = row(session.handle());
        int i = SessionHandle.index(session.handle());
        if (sessions[w][i] == session) {
            sessions[w][i] = null;
            live--;
        }
    }

    /** @return the session {@code handle} names, or null (counted) if this worker does not know it */
    private AppSession lookup(long handle) {
        int w = row(handle);
        int i = SessionHandle.index(handle);
        if (w < sessions.length && i >= 0 && i < sessions[w].length) {
            AppSession session = sessions[w][i];
            if (session != null && session.handle() == handle) {
                return session;
            }
        }
        strayEvents++;
        return null;
    }

    // ------------------------------------------------------------------------------------------------ posting

    /** Posts an IO event (TX, DEQUEUED) for a session: no allocation. */
    void postIo(MessageQueue target, int type, long handle) throws SessionException {
        long position = claim(target, SessionMessage.typeName(type));
        SessionMessage.io(target.memory(), target.payloadOffset(position), type, handle, index);
        target.commit(position);
    }

    /** Posts a control request about {@code handle} to its stack worker's queue; returns its context. */
    int post(int type, long handle, int value, int first, int second, int third, int flags) throws SessionException {
        int context = newContext();
        MessageQueue target = stackQueues[SessionHandle.worker(handle) % stackQueues.length];
        long position = claim(target, SessionMessage.typeName(type));
        MemorySegment m = target.memory();
        long at = target.payloadOffset(position);
        SessionMessage.begin(m, at, type);
        SessionMessage.setContext(m, at, context);
        SessionMessage.setHandle(m, at, handle);
        SessionMessage.setAppWorker(m, at, index);
        SessionMessage.setValue(m, at, value);
        SessionMessage.setFlags(m, at, flags);
        SessionMessage.setOptionArguments(m, at, first, second, third);
        target.commit(position);
        return context;
    }

    private void postQuietly(int type, long handle) {
        try {
            post(type, handle, 0, 0, 0, 0, 0);
        } catch (SessionException e) {
            System.err.println("sluice: " + app + " worker " + index + ": " + e.getMessage());
        }
    }

    /** Claims a slot, waiting (bounded) while the queue is full: the stack drains it every pass. */
    private long claim(MessageQueue target, String what) throws SessionException {
        long position = target.tryClaim();
        if (position != MessageQueue.FULL) {
            return position;
        }
        long deadline = System.nanoTime() + POST_TIMEOUT_NANOS;
        while (System.nanoTime() < deadline) {
            Thread.onSpinWait();
            Thread.yield();
            position = target.tryClaim();
            if (position != MessageQueue.FULL) {
                return position;
            }
        }
        throw new SessionException(SessionStatus.INTERNAL, what + ": the stack queue stayed full for "
                + POST_TIMEOUT_NANOS / 1_000_000 + " ms (is the stack running?)");
    }

    private int newContext() {
        int context = nextContext++;
        if (nextContext <= 0) {
            nextContext = 1; // context 0 means "none"
        }
        return context;
    }

    private static SessionStatus status(MemorySegment m, long at) {
        SessionStatus status = SessionStatus.ofCode(SessionMessage.status(m, at));
        return status == null ? SessionStatus.INTERNAL : status;
    }

    /** The application detached, or the stack went away: no session of this worker is usable any more. */
    void forget() {
        for (AppSession[] row : sessions) {
            for (AppSession session : row) {
                if (session != null) {
                    session.markReset(SessionStatus.ABORTED);
                }
            }
        }
    }

    /** Waits for the reply to {@code context} of a session request. */
    Reply awaitSessionReply(int context, int timeoutMillis, String what) throws SessionException {
        return awaitReply(context, timeoutMillis, what);
    }

    @Override
    public String toString() {
        return "worker " + index + " of " + app;
    }
}
