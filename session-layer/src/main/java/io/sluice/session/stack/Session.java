package io.sluice.session.stack;

import io.sluice.core.tcp.layer.TcpFlow;
import io.sluice.core.timer.TimerWheel;
import io.sluice.session.msg.SessionHandle;
import io.sluice.session.msg.SessionStatus;
import io.sluice.session.segment.FifoPair;

/**
 * One TCP session as its stack worker holds it: the application side (application, application worker, the FIFO
 * pair it reads and writes) and the transport side (the {@link TcpFlow}). Touched only by the owning worker's thread.
 * Objects are made once per table entry and reused, so a new session allocates nothing.
 *
 * <p>Its FIFO pair is freed only when both sides are done with it: the transport handed the buffers back
 * ({@link #transportDone}) and the application closed it ({@link #appClosed}, by DISCONNECT, ABORT, a failed
 * CONNECT it never saw, or its death).
 */
final class Session {

    /** Where a session stands, for {@code show session}. */
    enum State {
        /** CONNECT sent, no answer yet. */
        CONNECTING,
        /** Data may move. */
        OPEN,
        /** The peer closed its side (DISCONNECTED posted). */
        PEER_CLOSED,
        /** The application closed (DISCONNECT or ABORT); the transport is finishing. */
        CLOSING,
        /** The transport is done; the application has not closed yet. */
        TRANSPORT_CLOSED
    }

    /** IO events waiting for room in the application worker's queue. */
    static final int PENDING_RX = 1;
    static final int PENDING_TX_SPACE = 2;

    final int index;
    final int worker;
    int generation;
    boolean inUse;
    long handle = SessionHandle.NONE;

    StackApplication app;
    int appWorker;
    TcpFlow flow;
    FifoPair pair;
    State state = State.CONNECTING;
    /** The listener that accepted it, or {@link SessionHandle#NONE} for an active open. */
    long listenerHandle;

    boolean appClosed;
    boolean transportDone;
    boolean rxShut;
    boolean txShut;
    /** The application knows the handle (CONNECTED OK or ACCEPTED was posted): it is owed a CLEANUP. */
    boolean announced;
    /** The application closed it (DISCONNECT, ABORT): CLEANUP follows once the pair is freed. */
    boolean cleanupOwed;
    /** The connect timer fired: the abort that follows is reported as TIMED_OUT. */
    boolean connectTimedOut;
    int connectContext;
    int closeContext;
    int connectTimer = TimerWheel.NO_TIMER;
    /**
     * Accepted by a hand-off listener and not yet claimed (MOVE): no IO events are posted, what happens is kept
     * ({@link #state}, {@link #resetStatus}) and told to the worker that claims it.
     */
    boolean awaitingMove;
    /** Why the connection was reset, while it awaited its MOVE (null: it was not). */
    SessionStatus resetStatus;

    int pendingIo;
    Session nextPending;
    boolean inPendingList;

    Session(int index, int worker) {
        this.index = index;
        this.worker = worker;
    }

    /** Resets the fields of a reused entry for a new session of {@code application}'s {@code applicationWorker}. */
    void open(StackApplication application, int applicationWorker) {
        app = application;
        appWorker = applicationWorker;
        flow = null;
        pair = null;
        state = State.CONNECTING;
        listenerHandle = SessionHandle.NONE;
        appClosed = false;
        transportDone = false;
        rxShut = false;
        txShut = false;
        announced = false;
        cleanupOwed = false;
        connectTimedOut = false;
        connectContext = 0;
        closeContext = 0;
        connectTimer = TimerWheel.NO_TIMER;
        pendingIo = 0;
        awaitingMove = false;
        resetStatus = null;
    }

    /** Whether events may still be posted to the application about this session. */
    boolean appListening() {
        return !appClosed && !app.isDetaching();
    }

    /** Whether events may be posted now: the application listens and a worker owns the session. */
    boolean appOwned() {
        return appListening() && !awaitingMove;
    }

    @Override
    public String toString() {
        return SessionHandle.format(handle) + " of " + app + " " + state;
    }
}
