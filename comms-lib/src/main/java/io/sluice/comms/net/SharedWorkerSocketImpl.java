package io.sluice.comms.net;

import io.sluice.comms.Sluice;
import io.sluice.comms.SluiceException;
import io.sluice.session.app.AppWorker;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketTimeoutException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;

/**
 * What the client and server socket implementations share: a session or listener on one of the application's
 * shared workers, used under that worker's lock from any thread, and a close that any thread may call once.
 */
abstract class SharedWorkerSocketImpl extends SocketImpl {

    /** How long a call the stack answers (shutdown, an option, listen) waits for the answer. */
    static final int REPLY_TIMEOUT_MILLIS = 5_000;
    /** "No timeout": wait as long as a {@code waitUntil} can (24 days), looking again after each wakeup. */
    static final int FOREVER_MILLIS = Integer.MAX_VALUE;

    final Sluice sluice;
    /** Set once, when a connect or listen starts or an accept hands a session over; volatile for close. */
    volatile AppWorker worker;
    volatile Lock lock;
    /** Set first thing in {@link #close()}, before its lock: a waiter or a starting connect sees it. */
    volatile boolean closed;
    private final AtomicBoolean closing = new AtomicBoolean();

    SharedWorkerSocketImpl(Sluice sluice) {
        this.sluice = Objects.requireNonNull(sluice, "sluice");
    }

    @Override
    protected void create(boolean stream) throws IOException {
        if (!stream) {
            throw new SocketException("Sluice sockets are stream (TCP) sockets; datagrams are not supported");
        }
    }

    /**
     * Takes the next shared worker for this socket and returns with its lock held (the caller unlocks).
     *
     * @throws SocketException "Socket closed" if a close came first
     */
    final Lock lockNewWorker() throws IOException {
        AppWorker shared;
        try {
            shared = sluice.sharedWorker();
        } catch (SluiceException e) {
            throw SocketErrors.of(e);
        }
        Lock held = shared.lock();
        held.lock();
        // Published before closed is read: a close() either sees the lock (and wakes this) or is seen here.
        worker = shared;
        lock = held;
        if (closed) {
            held.unlock();
            throw SocketErrors.closed();
        }
        return held;
    }

    /**
     * Closes once, from any thread: marks the socket closed (so waiters give up), then, with the worker's lock held,
     * {@link #release()}s what the stack holds and wakes every thread waiting on the worker.
     */
    @Override
    protected final void close() throws IOException {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        closed = true;
        Lock held = lock;
        if (held == null) {
            return; // nothing at the stack yet (a connect or listen starting now sees closed)
        }
        held.lock();
        try {
            release();
            worker.wakeWaiters();
        } finally {
            held.unlock();
        }
    }

    /** Gives back the session or listener; called once, lock held. */
    abstract void release() throws IOException;

    /**
     * How long the next wait of a call bounded by {@code timeoutMillis} (0: unbounded) may last.
     *
     * @throws SocketTimeoutException "{@code what} timed out" once the deadline passed
     */
    static int waitMillis(int timeoutMillis, long deadlineNanos, String what) throws SocketTimeoutException {
        if (timeoutMillis == 0) {
            return FOREVER_MILLIS;
        }
        int left = (int) ((deadlineNanos - System.nanoTime()) / 1_000_000L);
        if (left <= 0) {
            throw new SocketTimeoutException(what + " timed out after " + timeoutMillis + " ms");
        }
        return left;
    }

    @Override
    protected void sendUrgentData(int data) throws IOException {
        throw new SocketException("urgent data is not supported by Sluice");
    }
}
