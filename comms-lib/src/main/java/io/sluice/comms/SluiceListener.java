package io.sluice.comms;

import io.sluice.session.app.AppHandOff;
import io.sluice.session.app.AppListener;
import io.sluice.session.app.AppSession;
import io.sluice.session.app.AppWorker;
import io.sluice.session.app.SessionException;
import java.io.IOException;

/** A bound, listening port of an attached application; like its connections it belongs to one thread. */
public final class SluiceListener extends SluicePollable implements AutoCloseable {

    /** How long closing waits for the stack's answer. */
    private static final int CLOSE_TIMEOUT_MILLIS = 5_000;
    /** How long accepting on a hand-off listener waits for the stack to hand the connection to this thread. */
    private static final int CLAIM_TIMEOUT_MILLIS = 5_000;

    private final Sluice sluice;
    private final AppListener listener;
    private boolean closeCalled;

    SluiceListener(Sluice sluice, AppListener listener, Thread owner) {
        super(owner);
        this.sluice = sluice;
        this.listener = listener;
    }

    /**
     * Waits for the next connection.
     *
     * @param timeoutMillis how long to wait
     * @return the connection
     * @throws SluiceException TIMED_OUT naming the port, CLOSED, ABORTED when the stack went away, WRONG_THREAD
     */
    public SluiceConnection accept(int timeoutMillis) throws SluiceException {
        requireOwner();
        AppSession session;
        try {
            session = listener.worker().accept(listener, timeoutMillis);
            if (session == null) {
                AppHandOff handOff = listener.pollHandOff();
                if (handOff != null) {
                    return new SluiceAccepted(sluice, handOff).claim(CLAIM_TIMEOUT_MILLIS);
                }
            }
        } catch (IOException e) {
            throw new SluiceException(SluiceException.Code.OTHER, "accepting on port " + listener.port() + ": "
                    + e.getMessage(), e);
        }
        if (session == null) {
            if (listener.isClosed()) {
                throw new SluiceException(SluiceException.Code.CLOSED, "listener on port " + listener.port()
                        + " was closed");
            }
            if (!listener.worker().application().isConnected()) {
                // The wait ended early because the stack is gone, not because the time passed.
                throw new SluiceException(SluiceException.Code.ABORTED, "accepting on port " + listener.port()
                        + ": the stack closed the attach connection (it stopped or died); attach again when it is"
                        + " back");
            }
            throw new SluiceException(SluiceException.Code.TIMED_OUT, "no connection on port " + listener.port()
                    + " within " + timeoutMillis + " ms");
        }
        return new SluiceConnection(session, owner);
    }

    /**
     * Takes a connection that is already there, without waiting.
     *
     * @return the connection, or null if none is waiting
     * @throws SluiceException WRONG_THREAD
     */
    public SluiceConnection acceptNow() throws SluiceException {
        requireOwner();
        listener.worker().poll();
        AppSession session = listener.poll();
        if (session != null) {
            return new SluiceConnection(session, owner);
        }
        AppHandOff handOff = listener.pollHandOff();
        return handOff == null ? null : new SluiceAccepted(sluice, handOff).claim(CLAIM_TIMEOUT_MILLIS);
    }

    /**
     * For a listener made with hand-off ({@link Sluice#listen(int, int, int, boolean)}): takes the next accepted
     * connection without claiming it, for whichever thread will use it.
     *
     * @return the connection to claim, or null if none is waiting
     * @throws SluiceException WRONG_THREAD
     */
    public SluiceAccepted acceptForHandOff() throws SluiceException {
        requireOwner();
        listener.worker().poll();
        AppHandOff handOff = listener.pollHandOff();
        return handOff == null ? null : new SluiceAccepted(sluice, handOff);
    }

    /** @return the port */
    public int port() {
        return listener.port();
    }

    /**
     * Stops listening (UNLISTEN); accepted connections stay. Only the first call asks the stack; later calls return
     * at once (as {@link java.io.Closeable#close} does), even when the first one failed.
     *
     * @throws SluiceException the stack's status (ABORTED when it went away), WRONG_THREAD
     */
    @Override
    public void close() throws SluiceException {
        requireOwner();
        if (closeCalled) {
            return;
        }
        closeCalled = true;
        leavePoller();
        try {
            listener.worker().unlisten(listener, CLOSE_TIMEOUT_MILLIS);
        } catch (SessionException e) {
            throw SluiceException.of("closing listener on port " + listener.port(), e);
        } catch (IOException e) {
            throw new SluiceException(SluiceException.Code.OTHER, "closing listener on port " + listener.port()
                    + ": " + e.getMessage(), e);
        }
    }

    @Override
    AppWorker worker() {
        return listener.worker();
    }

    /** @return the listener it wraps: its accepted sessions are the poller's events */
    AppListener appListener() {
        return listener;
    }

    @Override
    int readiness(int interest) {
        if (listener.isClosed()) {
            return -1;
        }
        return listener.pending() > 0 ? SluicePoller.IN : 0;
    }

    private void requireOwner() throws SluiceException {
        if (Thread.currentThread() != owner) {
            throw SluiceException.wrongThread("listener on port " + listener.port(), listener.worker().index(),
                    owner);
        }
    }
}
