package io.sluice.examples.bench;

import io.sluice.core.sys.Epoll;
import io.sluice.core.sys.EventFd;
import io.sluice.core.sys.SyscallException;
import java.io.UncheckedIOException;
import io.sluice.session.mq.Doorbell;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * How a consumer thread that found its queue empty waits, and how a producer wakes it: the seam between the
 * message-queue benchmark and the wakeup mechanism. {@link #signal()} is what the queue's {@link Doorbell} calls.
 *
 * <p>Semantics are those of an eventfd: a signal given while nobody waits is kept, and makes the next
 * {@link #await} return at once; several signals before a wait count as one. A wait may also end early
 * (spuriously): callers re-check their queue, as {@link io.sluice.session.mq.MessageQueue#prepareToSleep()} does.
 *
 * <p>The benchmarks use a real eventfd ({@link #eventFd()}), as Sluice's workers do; {@link #parking(Thread)} is
 * kept for comparison. Close a wakeup when its round ends: the eventfd and its epoll set are descriptors.
 */
public interface Wakeup extends AutoCloseable {

    /** Producer side: wakes the waiter, or leaves a signal for its next wait. Must not block or allocate. */
    void signal();

    /** Consumer side: waits until signalled (consuming the signal) or until {@code timeoutNanos} have passed. */
    void await(long timeoutNanos);

    /** The wakeup the benchmarks use for a consumer running on {@code waiter}. The one place to swap mechanisms. */
    static Wakeup forWaiter(Thread waiter) {
        Objects.requireNonNull(waiter, "waiter");
        return eventFd();
    }

    /** Releases what the wakeup holds. */
    @Override
    default void close() {}

    /**
     * A wakeup on an eventfd: {@link #signal()} writes 1 (an 8-byte write, allocation-free), {@link #await} waits
     * in epoll with a millisecond timeout and reads the counter back to zero.
     */
    static Wakeup eventFd() {
        EventFd eventFd;
        Epoll epoll;
        try {
            eventFd = EventFd.create(0, EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
            epoll = Epoll.create(1);
            epoll.add(eventFd.fd(), Epoll.EPOLLIN, 0);
        } catch (SyscallException e) {
            throw new UncheckedIOException(e);
        }
        return new Wakeup() {
            @Override
            public void signal() {
                try {
                    eventFd.write(1);
                } catch (SyscallException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public void await(long timeoutNanos) {
                int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (timeoutNanos + 999_999) / 1_000_000));
                try {
                    if (epoll.waitFor(millis) > 0) {
                        eventFd.read();
                    }
                } catch (SyscallException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public void close() {
                try (eventFd; epoll) {
                    // closes both, the eventfd last
                } catch (SyscallException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public String toString() {
                return "eventfd";
            }
        };
    }

    /** A wakeup built on {@link LockSupport#park}: the thread's park permit is the pending signal. */
    static Wakeup parking(Thread waiter) {
        Objects.requireNonNull(waiter, "waiter");
        return new Wakeup() {
            @Override
            public void signal() {
                LockSupport.unpark(waiter);
            }

            @Override
            public void await(long timeoutNanos) {
                if (Thread.currentThread() != waiter) {
                    throw new IllegalStateException(Thread.currentThread() + " waits on a wakeup made for " + waiter);
                }
                LockSupport.parkNanos(this, timeoutNanos);
            }

            @Override
            public String toString() {
                return "park/unpark";
            }
        };
    }
}
