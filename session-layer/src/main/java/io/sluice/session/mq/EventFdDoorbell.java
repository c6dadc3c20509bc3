package io.sluice.session.mq;

import io.sluice.core.sys.Epoll;
import io.sluice.core.sys.EventFd;
import io.sluice.core.sys.SyscallException;
import java.io.UncheckedIOException;

/**
 * A {@link MessageQueue}'s doorbell on an eventfd, both ends of it: producers {@link #ring()} it (an 8-byte write),
 * the consumer {@link #sleep sleeps} on it with epoll. Producers and consumer may live in different processes, each
 * holding its own descriptor of the same eventfd (passed with SCM_RIGHTS).
 */
public final class EventFdDoorbell implements Doorbell, AutoCloseable {

    private final EventFd eventFd;
    /** The consumer's epoll set holding just this eventfd; created on the first sleep. */
    private Epoll epoll;

    public EventFdDoorbell(EventFd eventFd) {
        this.eventFd = eventFd;
    }

    /** The eventfd, so an external event loop can wait on it instead of {@link #sleep}. */
    public EventFd eventFd() {
        return eventFd;
    }

    @Override
    public void ring() {
        try {
            // False means the counter is saturated: the consumer already has a wakeup pending, which is all we want.
            eventFd.write(1);
        } catch (SyscallException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Consumer: sleeps until a producer rings or {@code timeoutMillis} pass, unless a message is already waiting
     * (see {@link MessageQueue#prepareToSleep()}).
     *
     * @return true if the doorbell woke the consumer; false if it did not sleep or timed out
     */
    public boolean sleep(MessageQueue queue, int timeoutMillis) throws SyscallException {
        if (!queue.prepareToSleep()) {
            return false;
        }
        try {
            return await(timeoutMillis);
        } finally {
            queue.cancelSleep();
        }
    }

    /**
     * Waits until the doorbell has been rung (at once if it was rung since the last wait) or {@code timeoutMillis}
     * pass, and resets it. The caller announces its sleep to the producers first, as {@link #sleep} does.
     *
     * @return true if it was rung; false on timeout
     */
    public boolean await(int timeoutMillis) throws SyscallException {
        if (epoll == null) {
            epoll = Epoll.create(1);
            epoll.add(eventFd.fd(), Epoll.EPOLLIN, 0);
        }
        if (epoll.waitFor(timeoutMillis) > 0) {
            eventFd.read(); // reset the counter: one wakeup consumed
            return true;
        }
        return false;
    }

    @Override
    public void close() throws SyscallException {
        try {
            if (epoll != null) {
                epoll.close();
            }
        } finally {
            eventFd.close();
        }
    }
}
