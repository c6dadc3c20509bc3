package io.sluice.core.engine;

import io.sluice.core.sys.EventFd;
import io.sluice.core.sys.NativeFd;
import io.sluice.core.sys.SyscallException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A worker's wakeup: a sleeping flag and an eventfd in the worker's epoll set. The worker announces a sleep (stores
 * the flag, full fence), re-checks its queues, and only then waits; a producer (a task submitter, a hand-off
 * sender) publishes its work, fences, and writes the eventfd only if it wins the flag's 1 → 0 change. So a worker
 * that polls costs its producers one fence and a read, and the eventfd is written at most once per sleep. (The same
 * handshake as the session layer's message-queue doorbell.)
 */
final class Doorbell implements AutoCloseable {

    private static final VarHandle SLEEPING;

    static {
        try {
            SLEEPING = MethodHandles.lookup().findVarHandle(Doorbell.class, "sleeping", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final EventFd eventFd;
    @SuppressWarnings("unused") // through SLEEPING
    private volatile int sleeping;

    Doorbell() {
        try {
            this.eventFd = EventFd.create(0, EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
        } catch (SyscallException e) {
            throw new UncheckedIOException(e);
        }
    }

    NativeFd fd() {
        return eventFd.fd();
    }

    /** Worker side: from now on producers ring. The caller re-checks its queues before it waits. */
    void announceSleep() {
        SLEEPING.setVolatile(this, 1);
        VarHandle.fullFence();
    }

    /** Worker side: awake again; producers need not ring. */
    void awake() {
        SLEEPING.setVolatile(this, 0);
    }

    /**
     * Producer side, after publishing work: wakes the worker if it announced a sleep. Never throws: a failed write
     * on a live eventfd cannot happen, and one on a closed engine has nobody left to wake.
     *
     * @return whether this call wrote the eventfd
     */
    boolean ring() {
        VarHandle.fullFence();
        if ((int) SLEEPING.getVolatile(this) == 1 && SLEEPING.compareAndSet(this, 1, 0)) {
            try {
                eventFd.write(1);
            } catch (SyscallException | IllegalStateException e) {
                return false;
            }
            return true;
        }
        return false;
    }

    /** Worker side: resets the eventfd after it woke the worker. */
    void drain() throws SyscallException {
        eventFd.read();
    }

    @Override
    public void close() throws SyscallException {
        eventFd.close();
    }
}
