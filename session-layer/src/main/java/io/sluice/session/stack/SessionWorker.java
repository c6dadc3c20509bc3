package io.sluice.session.stack;

import io.sluice.core.graph.NodeContext;
import io.sluice.core.tcp.conn.CloseCause;
import io.sluice.core.tcp.conn.TcpConnection;
import io.sluice.core.tcp.layer.TcpFlow;
import io.sluice.core.tcp.layer.TcpListener;
import io.sluice.core.tcp.layer.TcpOpenException;
import io.sluice.core.timer.ExpiryHandler;
import io.sluice.core.timer.TimerWheel;
import io.sluice.core.wire.Ip4Address;
import io.sluice.session.fifo.ByteFifo;
import io.sluice.session.mq.MessageHandler;
import io.sluice.session.mq.MessageQueue;
import io.sluice.session.msg.SessionHandle;
import io.sluice.session.msg.SessionMessage;
import io.sluice.session.msg.SessionStatus;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The session layer on one stack worker: its {@link SessionTable}, the requests its {@code session-queue} node
 * drains, and what TCP reports about the worker's connections; replies and events go out through its
 * {@link EventPoster}. Everything here runs on the worker's thread (control tasks included), so nothing is locked;
 * the request and event paths allocate nothing once warm (LISTEN and CONNECT, the control path, do).
 */
final class SessionWorker implements MessageHandler, ExpiryHandler {

    /** Backlog of listen when the request gives none. */
    static final int DEFAULT_BACKLOG = 128;

    private final SessionLayer layer;
    private final int index;
    private final SessionTable table;
    private final EventPoster poster;
    /** Where control messages are built: the poster's scratch area. */
    private final MemorySegment scratch;
    private TimerWheel timers;
    private StackApplication draining;
    private StackApplication[] sleptOn = new StackApplication[0];

    SessionWorker(SessionLayer layer, int index, int capacity) {
        this.layer = layer;
        this.index = index;
        this.table = new SessionTable(index, capacity);
        this.poster = new EventPoster(index);
        this.scratch = poster.message();
    }

    void useTimers(TimerWheel wheel) {
        this.timers = wheel;
        poster.useTimers(wheel);
    }

    // ---- the node ----

    int poll(NodeContext context, int perApplication) {
        poster.startPass(context); // notifies for and retries what TCP raised during the last pass's dispatch
        int handled = 0;
        for (StackApplication app : layer.applications()) {
            MessageQueue queue = app.stackQueues[index];
            if (app.isDetaching() || queue == null) {
                continue;
            }
            draining = app;
            try {
                handled += queue.drain(this, perApplication);
            } catch (RuntimeException e) { // the application scribbled over its queue: stop reading it
                count(SessionQueueNode.QUEUE_CORRUPTED);
                app.stackQueues[index] = null;
                layer.report("stack worker " + index + ": the stack queue of " + app + " is no longer read", e);
            }
        }
        draining = null;
        poster.notifyConsumers();
        return handled;
    }

    boolean prepareToSleep() {
        poster.notifyConsumers();
        StackApplication[] apps = layer.applications();
        sleptOn = apps;
        for (int i = 0; i < apps.length; i++) {
            MessageQueue queue = apps[i].stackQueues[index];
            if (queue != null && !apps[i].isDetaching() && !queue.prepareToSleep()) {
                for (int j = 0; j < i; j++) {
                    cancelSleep(apps[j]);
                }
                return false;
            }
        }
        return true;
    }

    void awake() {
        for (StackApplication app : sleptOn) {
            cancelSleep(app);
        }
    }

    private void cancelSleep(StackApplication app) {
        MessageQueue queue = app.stackQueues[index];
        if (queue != null && !app.isDetaching()) {
            queue.cancelSleep();
        }
    }

    // ---- for the cut-through sessions, which post through the worker that drained their request ----

    SessionLayer layer() {
        return layer;
    }

    int index() {
        return index;
    }

    /** Where a control message is built before {@link #send}. */
    MemorySegment scratch() {
        return scratch;
    }

    /** Posts the control message in {@link #scratch()} to {@code port} (or keeps it in its outbox). */
    void send(AppWorkerPort port) {
        poster.send(port);
    }

    // ---- requests ----

    @Override
    public void onMessage(MemorySegment m, long at, int length) {
        StackApplication app = draining;
        int type = SessionMessage.type(m, at);
        AppWorkerPort port = app.port(SessionMessage.appWorker(m, at));
        if (port == null) {
            count(SessionQueueNode.NO_APP_WORKER); // nobody to answer
            return;
        }
        int context = SessionMessage.context(m, at);
        long handle = SessionMessage.handle(m, at);
        try {
            if (SessionHandle.kind(handle) == SessionHandle.KIND_CUT_THROUGH && type != SessionMessage.LISTEN
                    && type != SessionMessage.CONNECT) {
                layer.cutThrough().request(this, app, port, type, handle, context, SessionMessage.value(m, at));
                return;
            }
            switch (type) {
                case SessionMessage.TX -> tx(app, port, handle, context);
                case SessionMessage.DEQUEUED -> dequeued(app, port, handle, context);
                case SessionMessage.LISTEN -> listen(app, port, m, at, context);
                case SessionMessage.UNLISTEN -> unlisten(app, port, handle, context);
                case SessionMessage.CONNECT -> connect(app, port, m, at, context);
                case SessionMessage.DISCONNECT, SessionMessage.ABORT -> close(app, port, handle, context, type);
                case SessionMessage.SHUTDOWN -> shutdown(app, port, handle, context, SessionMessage.value(m, at));
                case SessionMessage.SET_OPTION -> setOption(app, port, m, at, handle, context);
                case SessionMessage.GET_INFO -> info(app, port, handle, context);
                case SessionMessage.MOVE -> move(app, port, handle, context);
                default -> error(port, context, handle, type, SessionStatus.UNKNOWN_TYPE,
                        SessionQueueNode.UNKNOWN_TYPE);
            }
        } catch (RuntimeException e) { // a bug here must not stop the queue: the slot would come back forever
            layer.report("stack worker " + index + ": " + SessionMessage.typeName(type) + " from " + app, e);
            error(port, context, handle, type, SessionStatus.INTERNAL, SessionQueueNode.INTERNAL);
        }
    }

    /** The session {@code handle} names if it is {@code app}'s; otherwise answers the ERROR and returns null. */
    private Session owned(StackApplication app, AppWorkerPort port, long handle, int context, int type) {
        Session s = table.lookup(handle);
        if (s != null && s.app == app) {
            return s;
        }
        if (s != null) {
            error(port, context, handle, type, SessionStatus.NOT_OWNER, SessionQueueNode.NOT_OWNER);
        } else if (SessionHandle.kind(handle) == SessionHandle.KIND_SESSION && SessionHandle.worker(handle) != index) {
            error(port, context, handle, type, SessionStatus.BAD_REQUEST, SessionQueueNode.WRONG_WORKER);
        } else {
            error(port, context, handle, type, SessionStatus.INVALID_HANDLE, SessionQueueNode.INVALID_HANDLE);
        }
        return null;
    }

    private void tx(StackApplication app, AppWorkerPort port, long handle, int context) {
        Session s = owned(app, port, handle, context, SessionMessage.TX);
        if (s != null && !s.transportDone) {
            // The consumer's half of the coalescing rule: clear the flag before TCP looks at the bytes, so a write
            // after this raises a new TX (left set, the application would never post TX again).
            s.pair.tx().clearEvent();
            s.flow.flush();
        }
    }

    private void dequeued(StackApplication app, AppWorkerPort port, long handle, int context) {
        Session s = owned(app, port, handle, context, SessionMessage.DEQUEUED);
        if (s != null && !s.transportDone) {
            s.flow.flush(); // sends a window update when the window grew enough
            askForDequeueIfWindowLow(s.pair.rx());
        }
    }

    private void listen(StackApplication app, AppWorkerPort port, MemorySegment m, long at, int context) {
        int address = SessionMessage.address(m, at);
        int localPort = SessionMessage.port(m, at);
        int backlog = SessionMessage.value(m, at) > 0 ? SessionMessage.value(m, at) : DEFAULT_BACKLOG;
        ListenerTable.Entry entry = layer.listeners().add(app, port.appWorker);
        if (entry == null) {
            return; // the application is going away: nobody to answer
        }
        int scope = SessionMessage.flags(m, at) & (SessionMessage.FLAG_SCOPE_LOCAL | SessionMessage.FLAG_SCOPE_GLOBAL);
        entry.scopeFlags = scope == 0 ? SessionMessage.FLAG_SCOPE_LOCAL | SessionMessage.FLAG_SCOPE_GLOBAL : scope;
        entry.handOff = (SessionMessage.flags(m, at) & SessionMessage.FLAG_HAND_OFF) != 0;
        SessionEvents events = new SessionEvents(layer, app, port.appWorker, entry.handle, entry.handOff);
        TcpListener listener;
        try {
            listener = layer.listen(address, localPort, backlog, app.tcpBuffers, events);
        } catch (TcpOpenException e) {
            layer.listeners().remove(entry);
            SessionStatus status = switch (e.reason()) {
                case ADDRESS_IN_USE -> SessionStatus.ADDRESS_IN_USE;
                case NO_LOCAL_ADDRESS -> SessionStatus.ADDRESS_NOT_AVAILABLE;
                default -> SessionStatus.BAD_REQUEST;
            };
            error(port, context, SessionHandle.NONE, SessionMessage.LISTEN, status, SessionQueueNode.LISTEN_FAILED);
            return;
        }
        if (!layer.listeners().bind(entry, listener)) {
            listener.close(); // the application detached meanwhile
            return;
        }
        SessionMessage.begin(scratch, 0, SessionMessage.BOUND);
        SessionMessage.setContext(scratch, 0, context);
        SessionMessage.setHandle(scratch, 0, entry.handle);
        SessionMessage.setAddress(scratch, 0, listener.localAddress(), listener.port());
        SessionMessage.setAppWorker(scratch, 0, port.appWorker);
        poster.send(port);
    }

    private void unlisten(StackApplication app, AppWorkerPort port, long handle, int context) {
        ListenerTable.Entry entry = layer.listeners().lookup(handle);
        if (entry == null) {
            error(port, context, handle, SessionMessage.UNLISTEN, SessionStatus.INVALID_HANDLE,
                    SessionQueueNode.INVALID_HANDLE);
            return;
        }
        if (entry.app != app) {
            error(port, context, handle, SessionMessage.UNLISTEN, SessionStatus.NOT_OWNER,
                    SessionQueueNode.NOT_OWNER);
            return;
        }
        TcpListener listener = entry.listener;
        layer.listeners().remove(entry);
        if (listener != null) {
            listener.close();
        }
        reply(port, SessionMessage.UNLISTENED, context, handle, SessionStatus.OK);
    }

    private void connect(StackApplication app, AppWorkerPort port, MemorySegment m, long at, int context) {
        int remote = SessionMessage.address(m, at);
        int remotePort = SessionMessage.port(m, at);
        if (remotePort == 0) {
            connectFailed(port, context, SessionStatus.BAD_REQUEST, SessionQueueNode.BAD_REQUEST);
            return;
        }
        int both = SessionMessage.FLAG_SCOPE_LOCAL | SessionMessage.FLAG_SCOPE_GLOBAL;
        int flags = (SessionMessage.flags(m, at) & both) == 0 ? both : SessionMessage.flags(m, at); // none: both
        if (app.scopeLocal && (flags & SessionMessage.FLAG_SCOPE_LOCAL) != 0 && layer.isLocalAddress(remote)
                && layer.cutThrough().connect(this, app, port, remote, remotePort, context,
                        layer.listeners().findLocal(remote, remotePort))) {
            return; // served by a local listener through shared memory
        }
        if (Ip4Address.isLoopback(remote) && (flags & SessionMessage.FLAG_SCOPE_LOCAL) != 0 && app.scopeLocal) {
            // 127.0.0.0/8 is reached cut through only: no local listener there is a refusal, as a kernel's RST is.
            connectFailed(port, context, SessionStatus.REFUSED, SessionQueueNode.CONNECT_FAILED);
            return;
        }
        if (!app.scopeGlobal || (flags & SessionMessage.FLAG_SCOPE_GLOBAL) == 0) {
            // Local scope only (the ATTACH's or the request's), and no local listener took it.
            connectFailed(port, context, SessionStatus.SCOPE_DENIED, SessionQueueNode.BAD_REQUEST);
            return;
        }
        Session s = table.allocate();
        if (s == null) {
            connectFailed(port, context, SessionStatus.SESSION_LIMIT, SessionQueueNode.SESSION_LIMIT);
            return;
        }
        s.open(app, port.appWorker);
        app.sessions.incrementAndGet();
        TcpFlow flow;
        try {
            flow = layer.tcp().connect(SessionMessage.localAddress(m, at), remote, remotePort, app.tcpBuffers,
                    layer.activeEvents(), null, index);
        } catch (TcpOpenException e) {
            release(s);
            SessionStatus status = switch (e.reason()) {
                case NO_ROUTE -> SessionStatus.UNREACHABLE;
                case NO_LOCAL_ADDRESS -> SessionStatus.ADDRESS_NOT_AVAILABLE;
                case NO_PORT -> SessionStatus.NO_PORT;
                case NO_BUFFERS -> SessionStatus.NO_FIFO_SPACE;
                case WORKER_FULL -> SessionStatus.SESSION_LIMIT;
                default -> SessionStatus.BAD_REQUEST;
            };
            connectFailed(port, context, status, SessionQueueNode.CONNECT_FAILED);
            return;
        }
        bind(s, flow);
        s.connectContext = context;
        int timeoutMillis = SessionMessage.value(m, at);
        long timeout = timeoutMillis > 0 ? TimeUnit.MILLISECONDS.toNanos(timeoutMillis) : layer.connectTimeoutNanos();
        s.connectTimer = timers.start(poster.now() + timeout, s.index);
    }

    private void connectFailed(AppWorkerPort port, int context, SessionStatus status, int reason) {
        count(reason);
        reply(port, SessionMessage.CONNECTED, context, SessionHandle.NONE, status);
    }

    private void close(StackApplication app, AppWorkerPort port, long handle, int context, int type) {
        Session s = owned(app, port, handle, context, type);
        if (s == null) {
            return;
        }
        if (s.appClosed) {
            error(port, context, handle, type, SessionStatus.BAD_STATE, SessionQueueNode.BAD_STATE);
            return;
        }
        if (s.awaitingMove) {
            s.awaitingMove = false; // rejected unclaimed: the rejecting worker hears the CLEANUP
            s.appWorker = port.appWorker;
        }
        s.appClosed = true;
        s.cleanupOwed = true;
        s.closeContext = context;
        s.state = Session.State.CLOSING;
        stopConnectTimer(s);
        if (s.transportDone) {
            finish(s);
        } else if (type == SessionMessage.ABORT) {
            s.flow.abort();
        } else {
            s.flow.close();
        }
    }

    private void shutdown(StackApplication app, AppWorkerPort port, long handle, int context, int how) {
        Session s = owned(app, port, handle, context, SessionMessage.SHUTDOWN);
        if (s == null) {
            return;
        }
        if (how == 0 || (how & ~(SessionMessage.SHUT_READ | SessionMessage.SHUT_WRITE)) != 0) {
            error(port, context, handle, SessionMessage.SHUTDOWN, SessionStatus.BAD_REQUEST,
                    SessionQueueNode.BAD_REQUEST);
            return;
        }
        if (s.appClosed || s.state == Session.State.CONNECTING) {
            error(port, context, handle, SessionMessage.SHUTDOWN, SessionStatus.BAD_STATE,
                    SessionQueueNode.BAD_STATE);
            return;
        }
        if ((how & SessionMessage.SHUT_READ) != 0) {
            s.rxShut = true; // no more RX; bytes still arriving are kept in the rx FIFO (the window closes)
        }
        if ((how & SessionMessage.SHUT_WRITE) != 0 && !s.txShut) {
            s.txShut = true;
            if (!s.transportDone) {
                s.flow.close(); // FIN after the queued bytes; receiving goes on
            }
        }
        reply(port, SessionMessage.SHUTDOWN_REPLY, context, handle, SessionStatus.OK);
    }

    private void setOption(StackApplication app, AppWorkerPort port, MemorySegment m, long at, long handle,
            int context) {
        Session s = owned(app, port, handle, context, SessionMessage.SET_OPTION);
        if (s == null) {
            return;
        }
        int option = SessionMessage.value(m, at);
        int first = SessionMessage.optionArgument(m, at, 1);
        SessionStatus status = SessionStatus.OK;
        if (s.transportDone || s.appClosed) {
            status = SessionStatus.BAD_STATE;
        } else if (option == SessionMessage.OPTION_NO_DELAY) {
            s.flow.setNoDelay(first != 0);
        } else if (option == SessionMessage.OPTION_KEEPALIVE) {
            int idle = SessionMessage.optionArgument(m, at, 2);
            int interval = SessionMessage.optionArgument(m, at, 3) >>> 16;
            int probes = SessionMessage.optionArgument(m, at, 3) & 0xFFFF;
            if (first != 0 && (idle <= 0 || interval <= 0 || probes <= 0)) {
                status = SessionStatus.BAD_REQUEST;
            } else {
                s.flow.setKeepalive(first != 0, TimeUnit.SECONDS.toNanos(idle), TimeUnit.SECONDS.toNanos(interval),
                        probes);
            }
        } else {
            status = SessionStatus.BAD_REQUEST;
        }
        if (status != SessionStatus.OK) {
            count(status == SessionStatus.BAD_STATE ? SessionQueueNode.BAD_STATE : SessionQueueNode.BAD_REQUEST);
        }
        reply(port, SessionMessage.OPTION_REPLY, context, handle, status, option);
    }

    /** GET_INFO: the connection's numbers as TCP keeps them now (this is its worker's thread). */
    private void info(StackApplication app, AppWorkerPort port, long handle, int context) {
        Session s = owned(app, port, handle, context, SessionMessage.GET_INFO);
        if (s == null) {
            return;
        }
        if (s.transportDone || s.flow.isClosed()) {
            error(port, context, handle, SessionMessage.GET_INFO, SessionStatus.BAD_STATE, SessionQueueNode.BAD_STATE);
            return;
        }
        TcpConnection c = s.flow.connectionOnWorker();
        SessionMessage.begin(scratch, 0, SessionMessage.INFO_REPLY);
        SessionMessage.setContext(scratch, 0, context);
        SessionMessage.setHandle(scratch, 0, handle);
        SessionMessage.setStatus(scratch, 0, SessionStatus.OK);
        SessionMessage.setValue(scratch, 0, c.state().ordinal());
        SessionMessage.setAppWorker(scratch, 0, port.appWorker);
        SessionMessage.setTcpInfo(scratch, 0, c.rttEstimator().srtt() / 1_000, c.rttEstimator().rttvar() / 1_000,
                c.congestionControl().cwnd(), c.congestionControl().ssthresh(), c.sndWnd(), c.mss(),
                c.retransmittedSegments());
        poster.send(port);
    }

    /**
     * MOVE: a session a hand-off listener accepted goes to the worker that claims it. MOVED tells that worker where
     * its FIFOs are and what happened meanwhile (the peer's close, a reset); bytes that came are announced after it.
     */
    private void move(StackApplication app, AppWorkerPort port, long handle, int context) {
        Session s = owned(app, port, handle, context, SessionMessage.MOVE);
        if (s == null) {
            return;
        }
        if (!s.awaitingMove || s.appClosed) {
            error(port, context, handle, SessionMessage.MOVE, SessionStatus.BAD_STATE, SessionQueueNode.BAD_STATE);
            return;
        }
        s.awaitingMove = false;
        s.appWorker = port.appWorker;
        int value = 0;
        if (s.resetStatus != null) {
            value = SessionMessage.MOVED_RESET | s.resetStatus.code() << 16;
        } else if (s.state == Session.State.PEER_CLOSED || s.state == Session.State.TRANSPORT_CLOSED) {
            value = SessionMessage.MOVED_PEER_CLOSED;
        }
        SessionMessage.begin(scratch, 0, SessionMessage.MOVED);
        SessionMessage.setContext(scratch, 0, context);
        SessionMessage.setHandle(scratch, 0, s.handle);
        SessionMessage.setStatus(scratch, 0, SessionStatus.OK);
        SessionMessage.setValue(scratch, 0, value);
        SessionMessage.setOtherHandle(scratch, 0, s.listenerHandle);
        describeConnection(s);
        poster.send(port);
        if (!s.transportDone) {
            askForDequeueIfWindowLow(s.pair.rx()); // the window may have closed while nobody read
        }
        reportEarlyData(s);
    }

    // ---- what TCP reports (on this worker) ----

    void accepted(StackApplication app, int appWorker, long listenerHandle, boolean handOff, TcpFlow flow) {
        if (app.isDetaching()) {
            flow.abort(); // its pair has no session: TCP's hand-back frees it
            return;
        }
        Session s = table.allocate();
        if (s == null) {
            count(SessionQueueNode.SESSION_LIMIT);
            flow.abort();
            return;
        }
        s.open(app, appWorker);
        app.sessions.incrementAndGet();
        bind(s, flow);
        s.listenerHandle = listenerHandle;
        s.state = Session.State.OPEN;
        s.announced = true;
        s.awaitingMove = handOff;
        SessionMessage.begin(scratch, 0, SessionMessage.ACCEPTED);
        SessionMessage.setHandle(scratch, 0, s.handle);
        SessionMessage.setOtherHandle(scratch, 0, listenerHandle);
        describeConnection(s);
        if (handOff) {
            SessionMessage.setFlags(scratch, 0, SessionMessage.FLAG_HAND_OFF);
        }
        poster.send(app.port(appWorker));
        if (!handOff) {
            reportEarlyData(s);
        }
    }

    /**
     * Bytes that came with the segment completing the handshake are in the rx FIFO before TCP reports any receive
     * (it reports changes after establishment): announce them after the ACCEPTED or CONNECTED.
     */
    private void reportEarlyData(Session s) {
        if (!s.pair.rx().isEmpty() && s.pair.rx().setEvent()) {
            poster.postIo(s, SessionMessage.RX, Session.PENDING_RX);
        }
    }

    void established(TcpFlow flow) {
        if (!(flow.attachment() instanceof Session s)) {
            return;
        }
        stopConnectTimer(s);
        s.state = Session.State.OPEN;
        if (!s.appListening()) {
            return;
        }
        s.announced = true;
        SessionMessage.begin(scratch, 0, SessionMessage.CONNECTED);
        SessionMessage.setContext(scratch, 0, s.connectContext);
        SessionMessage.setHandle(scratch, 0, s.handle);
        describeConnection(s);
        poster.send(s.app.port(s.appWorker));
        reportEarlyData(s);
    }

    void received(TcpFlow flow) {
        if (!(flow.attachment() instanceof Session s) || s.rxShut || !s.appOwned()) {
            return;
        }
        ByteFifo rx = s.pair.rx();
        askForDequeueIfWindowLow(rx);
        if (rx.setEvent()) { // the flag was clear: the application has read since the last RX
            poster.postIo(s, SessionMessage.RX, Session.PENDING_RX);
        }
    }

    void sent(TcpFlow flow) {
        if (!(flow.attachment() instanceof Session s) || !s.appOwned()) {
            return;
        }
        ByteFifo tx = s.pair.tx();
        // The application asked because it found the FIFO full; TCP dropped acknowledged bytes, so it was full
        // before this drop as far as the request is concerned.
        if (tx.requestedDequeueNotification() != 0 && tx.needsDequeueNotification(tx.capacity())) {
            poster.postIo(s, SessionMessage.TX_SPACE, Session.PENDING_TX_SPACE);
        }
    }

    void peerClosed(TcpFlow flow) {
        if (!(flow.attachment() instanceof Session s) || !s.appListening()) {
            return;
        }
        s.state = Session.State.PEER_CLOSED;
        if (s.awaitingMove) {
            return; // MOVED will say so
        }
        SessionMessage.begin(scratch, 0, SessionMessage.DISCONNECTED);
        SessionMessage.setHandle(scratch, 0, s.handle);
        SessionMessage.setAppWorker(scratch, 0, s.appWorker);
        poster.send(s.app.port(s.appWorker));
    }

    /** The transport is done with the connection; the buffers come back through {@link #transportReleased} next. */
    void closed(TcpFlow flow) {
        if (!(flow.attachment() instanceof Session s)) {
            return;
        }
        flow.attach(null); // a TIME-WAIT remnant reports nothing more about this session
        stopConnectTimer(s);
        CloseCause cause = flow.closeCause();
        if (s.state == Session.State.CONNECTING) {
            if (s.appListening()) {
                SessionStatus status = s.connectTimedOut ? SessionStatus.TIMED_OUT : switch (cause) {
                    case REFUSED, RESET -> SessionStatus.REFUSED;
                    case TIMED_OUT -> SessionStatus.TIMED_OUT;
                    case ABORTED -> SessionStatus.ABORTED;
                    case NONE -> SessionStatus.NO_PORT; // the 4-tuple was taken on the worker
                };
                count(SessionQueueNode.CONNECT_FAILED);
                reply(s.app.port(s.appWorker), SessionMessage.CONNECTED, s.connectContext, SessionHandle.NONE,
                        status);
            }
            s.appClosed = true; // the application never had the handle
        } else if (s.appListening() && cause != CloseCause.NONE) {
            SessionStatus status = switch (cause) {
                case TIMED_OUT -> SessionStatus.TIMED_OUT;
                case ABORTED -> SessionStatus.ABORTED;
                default -> SessionStatus.RESET;
            };
            if (s.awaitingMove) {
                s.resetStatus = status; // MOVED will say so
                s.state = Session.State.TRANSPORT_CLOSED;
                return;
            }
            SessionMessage.begin(scratch, 0, SessionMessage.RESET);
            SessionMessage.setHandle(scratch, 0, s.handle);
            SessionMessage.setStatus(scratch, 0, status);
            SessionMessage.setAppWorker(scratch, 0, s.appWorker);
            poster.send(s.app.port(s.appWorker));
        }
        if (!s.appClosed) {
            s.state = Session.State.TRANSPORT_CLOSED;
        }
    }

    /** TCP handed the session's FIFO pair back: freed now if the application closed too. */
    void transportReleased(Session s) {
        s.transportDone = true;
        if (s.appClosed) {
            finish(s);
        }
    }

    @Override
    public void onExpired(int handle, long data) {
        if (poster.onExpired(handle, data)) {
            return;
        }
        Session s = table.live((int) data);
        if (s != null && s.connectTimer == handle && s.state == Session.State.CONNECTING) {
            s.connectTimer = TimerWheel.NO_TIMER;
            s.connectTimedOut = true;
            s.flow.abort();
        }
    }

    // ---- session life ----

    private void bind(Session s, TcpFlow flow) {
        s.flow = flow;
        s.pair = s.app.tcpBuffers.pairOf(flow.buffers());
        s.pair.setOwner(s);
        flow.attach(s);
    }

    /** Both sides are done: the pair is freed, CLEANUP posted if the application closed it, the entry freed. */
    private void finish(Session s) {
        StackApplication app = s.app;
        app.tcpBuffers.free(s.pair);
        s.pair = null;
        if (s.cleanupOwed && !app.isDetaching()) {
            reply(app.port(s.appWorker), SessionMessage.CLEANUP, s.closeContext, s.handle, SessionStatus.OK);
        }
        release(s);
    }

    /** Frees the table entry (the pair, if any, is already gone). */
    private void release(Session s) {
        StackApplication app = s.app;
        s.flow = null;
        s.pendingIo = 0;
        table.free(s);
        app.sessions.decrementAndGet();
    }

    private void stopConnectTimer(Session s) {
        if (s.connectTimer != TimerWheel.NO_TIMER) {
            timers.stop(s.connectTimer);
            s.connectTimer = TimerWheel.NO_TIMER;
        }
    }

    private static void askForDequeueIfWindowLow(ByteFifo rx) {
        // Below a quarter free, the advertised window is small: hear when the application reads, to open it.
        if (rx.freeSpace() < rx.capacity() / 4) {
            rx.requestDequeueNotification(ByteFifo.NOTIFY_ALWAYS);
        }
    }

    /** Application {@code app} is going: its sessions here are reset, its backlog dropped (a control task). */
    void detach(StackApplication app) {
        for (int i = 0; i < table.capacity(); i++) {
            Session s = table.live(i);
            if (s == null || s.app != app) {
                continue;
            }
            stopConnectTimer(s);
            s.appClosed = true;
            s.cleanupOwed = false;
            if (s.transportDone) {
                finish(s);
            } else {
                s.flow.abort();
            }
        }
        poster.forget(app);
    }

    /** The sessions of this worker, for {@code show session} (a control task: allocates). */
    List<SessionInfo> describe() {
        List<SessionInfo> out = new ArrayList<>();
        for (int i = 0; i < table.capacity(); i++) {
            Session s = table.live(i);
            if (s == null) {
                continue;
            }
            TcpFlow flow = s.flow;
            ByteFifo rx = s.pair == null ? null : s.pair.rx();
            ByteFifo tx = s.pair == null ? null : s.pair.tx();
            out.add(new SessionInfo(s.handle, s.app.index, s.app.name, s.appWorker, index, s.state.name(),
                    flow == null ? 0 : flow.localAddress(), flow == null ? 0 : flow.localPort(),
                    flow == null ? 0 : flow.remoteAddress(), flow == null ? 0 : flow.remotePort(),
                    rx == null ? 0 : rx.readableBytes(), tx == null ? 0 : tx.readableBytes(),
                    rx == null ? 0 : rx.capacity(), tx == null ? 0 : tx.capacity(),
                    s.pair == null ? 0 : s.pair.segmentId(),
                    flow == null || s.transportDone ? "CLOSED" : flow.state().name()));
        }
        return out;
    }

    // ---- posting ----

    private void describeConnection(Session s) {
        TcpFlow flow = s.flow;
        SessionMessage.setAddress(scratch, 0, flow.remoteAddress(), flow.remotePort());
        SessionMessage.setLocal(scratch, 0, flow.localAddress(), flow.localPort());
        SessionMessage.setAppWorker(scratch, 0, s.appWorker);
        SessionMessage.setFifos(scratch, 0, s.pair.segmentId(), s.pair.txOffset(), s.pair.rxOffset());
    }

    void reply(AppWorkerPort port, int type, int context, long handle, SessionStatus status) {
        reply(port, type, context, handle, status, 0);
    }

    /** A reply: type, the request's context, the handle, a status and a value (the option, the refused type). */
    void reply(AppWorkerPort port, int type, int context, long handle, SessionStatus status, int value) {
        SessionMessage.begin(scratch, 0, type);
        SessionMessage.setContext(scratch, 0, context);
        SessionMessage.setHandle(scratch, 0, handle);
        SessionMessage.setStatus(scratch, 0, status);
        SessionMessage.setValue(scratch, 0, value);
        if (port != null) {
            SessionMessage.setAppWorker(scratch, 0, port.appWorker);
        }
        poster.send(port);
    }

    void error(AppWorkerPort port, int context, long handle, int requestType, SessionStatus status,
            int reason) {
        count(reason);
        reply(port, SessionMessage.ERROR, context, handle, status, requestType);
    }

    private void count(int reason) {
        poster.count(reason);
    }
}
