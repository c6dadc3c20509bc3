package io.sluice.session.stack;

import io.sluice.core.graph.InputNode;
import io.sluice.core.graph.NodeContext;
import io.sluice.core.graph.NodeError;
import java.util.List;

/**
 * {@code session-queue}: on every stack worker, drains this worker's stack queue of every attached application
 * (bounded per pass) and hands each request to the worker's {@link SessionWorker}. Before the worker sleeps it
 * announces the sleep in every queue it consumes, so an application's post wakes it through the worker's eventfd.
 * Each kind of fault in what applications post is counted under its own reason here ({@code show errors}).
 */
public final class SessionQueueNode extends InputNode {

    public static final String NAME = "session-queue";

    static final int UNKNOWN_TYPE = 0;
    static final int INVALID_HANDLE = 1;
    static final int NOT_OWNER = 2;
    static final int WRONG_WORKER = 3;
    static final int BAD_REQUEST = 4;
    static final int BAD_STATE = 5;
    static final int NO_APP_WORKER = 6;
    static final int APP_QUEUE_FULL = 7;
    static final int BACKLOG_FULL = 8;
    static final int SESSION_LIMIT = 9;
    static final int CONNECT_FAILED = 10;
    static final int LISTEN_FAILED = 11;
    static final int QUEUE_CORRUPTED = 12;
    static final int INTERNAL = 13;

    static final List<NodeError> ERRORS = List.of(
            new NodeError("unknown-type", "request of an unknown message type"),
            new NodeError("invalid-handle", "request for no live session or listener (stale or made up)"),
            new NodeError("not-owner", "request for another application's session or listener"),
            new NodeError("wrong-worker", "session request posted to a stack worker that does not own it"),
            new NodeError("bad-request", "request field out of range"),
            new NodeError("bad-state", "request not possible in the session's state"),
            new NodeError("no-app-worker", "request or event for an application worker that has no queue"),
            new NodeError("app-queue-full", "application worker's queue full: event kept and retried"),
            new NodeError("backlog-full", "application worker's backlog full: control event lost"),
            new NodeError("session-limit", "session table full"),
            new NodeError("connect-failed", "connect refused before any packet (route, port, FIFO space)"),
            new NodeError("listen-failed", "listen refused (address in use or not local)"),
            new NodeError("queue-corrupted", "an application's stack queue failed its checks; no longer read"),
            new NodeError("internal", "request failed inside the stack"));

    /** Messages one application's queue gives per pass at most, so one busy application cannot starve others. */
    static final int PER_APPLICATION_BUDGET = 64;

    private final SessionWorker worker;

    SessionQueueNode(SessionWorker worker) {
        super(NAME, List.of(), ERRORS);
        this.worker = worker;
    }

    @Override
    public int poll(NodeContext ctx, int budget) {
        return worker.poll(ctx, Math.min(budget, PER_APPLICATION_BUDGET));
    }

    @Override
    public boolean prepareToSleep() {
        return worker.prepareToSleep();
    }

    @Override
    public void awake() {
        worker.awake();
    }
}
