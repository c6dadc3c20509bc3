package io.sluice.session.stack;

/**
 * The seam where a CONNECT with local scope may be served by a listener of another application on this stack,
 * through shared memory instead of TCP (the cut-through channel). Called on the stack worker that drained the
 * CONNECT; a dispatcher that takes the connect posts CONNECTED itself.
 */
@FunctionalInterface
public interface CutThroughDispatch {

    /** Takes no connect: every session goes through TCP (what the stack does until cut-through is wired in). */
    CutThroughDispatch NONE = (app, appWorker, address, port, context) -> false;

    /**
     * @param appIndex the connecting application
     * @param appWorker its worker that gets the reply
     * @param address the remote IPv4 address
     * @param port the remote port
     * @param context the request's context, for the reply
     * @return true if a local listener serves it (the dispatcher replies), false to connect through TCP
     */
    boolean connect(int appIndex, int appWorker, int address, int port, int context);
}
