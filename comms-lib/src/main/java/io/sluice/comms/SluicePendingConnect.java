package io.sluice.comms;

import io.sluice.session.app.AppSession;
import io.sluice.session.app.AppWorker;
import io.sluice.session.app.SessionException;
import io.sluice.session.msg.SessionStatus;

/**
 * A connect under way, from {@link Sluice#startConnect}: the request went to the stack and nothing waits for its
 * answer. Ask {@link #isDone()}, or put it in a {@link SluicePoller} (ready for {@link SluicePoller#OUT} when it is
 * up, with {@link SluicePoller#ERR} and {@link SluicePoller#HUP} when it failed), then {@link #finish()} it.
 *
 * <p>Like a connection it belongs to the thread that started it: any other thread gets {@code WRONG_THREAD}. The
 * stack answers every connect, if only with TIMED_OUT once the timeout passed; a connect nobody will finish is
 * {@link #cancel() cancelled}, so a connection that still comes up is reset instead of left behind.
 */
public final class SluicePendingConnect extends SluicePollable {

    private final AppWorker worker;
    private final int context;
    private final int address;
    private final int port;
    /** The connection once CONNECTED came with OK, until {@link #finish()} hands it over. */
    private SluiceConnection connection;
    /** Why the connect failed, once the stack said so (or went away). */
    private SessionException failure;
    private boolean handedOver;
    private boolean cancelled;

    SluicePendingConnect(AppWorker worker, Thread owner, int context, int address, int port) {
        super(owner);
        this.worker = worker;
        this.context = context;
        this.address = address;
        this.port = port;
    }

    /**
     * Whether the connect has an outcome: {@link #finish()} then returns the connection or throws. Polls the worker
     * once if no answer is there yet; does not wait.
     *
     * @return true once the stack answered (or the connect was cancelled)
     * @throws SluiceException WRONG_THREAD
     */
    public boolean isDone() throws SluiceException {
        requireOwner();
        return cancelled || resolve(true);
    }

    /**
     * The outcome: the connection once it is up. Once it has been returned, this connect leaves its poller (add the
     * connection instead) and later calls return the same connection.
     *
     * @return the connection, owned by this thread; null while the stack has not answered
     * @throws SluiceException as {@link Sluice#connect} throws them: REFUSED, TIMED_OUT, UNREACHABLE, NO_SPACE...
     *     naming the address; CLOSED after {@link #cancel()}; WRONG_THREAD
     */
    public SluiceConnection finish() throws SluiceException {
        requireOwner();
        if (cancelled) {
            throw new SluiceException(SluiceException.Code.CLOSED, Sluice.connecting(address, port)
                    + ": the connect was cancelled");
        }
        if (!resolve(true)) {
            return null;
        }
        leavePoller();
        if (failure != null) {
            throw SluiceException.of(Sluice.connecting(address, port), failure);
        }
        handedOver = true;
        return connection;
    }

    /**
     * Gives the connect up: it leaves its poller, and a connection made for it (now or when the stack's answer
     * comes) is reset. Does nothing once {@link #finish()} returned the connection, which is the program's then.
     *
     * @throws SluiceException WRONG_THREAD
     */
    public void cancel() throws SluiceException {
        requireOwner();
        if (cancelled || handedOver) {
            return;
        }
        cancelled = true;
        leavePoller();
        if (connection != null) {
            connection.abort();
        } else if (failure == null) {
            worker.abandonConnect(context);
        }
    }

    /** @return the request's context: the stack's answer carries it */
    int context() {
        return context;
    }

    @Override
    AppWorker worker() {
        return worker;
    }

    /** As a connecting socket in Linux: writable once up; writable, in error and hung up once failed. */
    @Override
    int readiness(int interest) {
        if (cancelled || handedOver) {
            return -1;
        }
        if (!resolve(false)) {
            return 0;
        }
        return failure == null ? SluicePoller.OUT : SluicePoller.OUT | SluicePoller.ERR | SluicePoller.HUP;
    }

    /**
     * Takes the stack's answer if it came.
     *
     * @param poll whether to drain the worker's queue first when no answer is there yet
     * @return whether there is an outcome
     */
    private boolean resolve(boolean poll) {
        if (connection != null || failure != null) {
            return true;
        }
        if (poll && !worker.hasReply(context)) {
            worker.poll();
        }
        try {
            AppSession session = worker.connected(context);
            if (session != null) {
                connection = new SluiceConnection(session, owner);
                return true;
            }
        } catch (SessionException e) {
            failure = e;
            return true;
        }
        if (!worker.application().isConnected()) {
            failure = new SessionException(SessionStatus.ABORTED, "the stack closed the attach connection (it"
                    + " stopped or died); attach again when it is back");
            return true;
        }
        return false;
    }

    private void requireOwner() throws SluiceException {
        if (Thread.currentThread() != owner) {
            throw SluiceException.wrongThread(toString(), worker.index(), owner);
        }
    }

    @Override
    public String toString() {
        return "SluicePendingConnect[" + Sluice.connecting(address, port) + "]";
    }
}
