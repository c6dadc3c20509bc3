package io.sluice.examples.bench;

import io.sluice.core.sys.EventFd;
import io.sluice.core.sys.SyscallException;
import io.sluice.session.mq.Doorbell;
import io.sluice.session.mq.EventFdDoorbell;
import java.io.UncheckedIOException;
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
     * A wakeup on an eventfd, the session layer's {@link EventFdDoorbell}: {@link #signal()} rings it (an 8-byte
     * write, allocation-free), {@link #await} waits in epoll with a millisecond timeout and resets it.
     */
    static Wakeup eventFd() {
        EventFdDoorbell doorbell;
        try {
            doorbell = new EventFdDoorbell(EventFd.create(0, EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC));
        } catch (SyscallException e) {
            throw new UncheckedIOException(e);
        }
        return new Wakeup() {
            @Override
            public void signal() {
                doorbell.ring();
            }

            @Override
            public void await(long timeoutNanos) {
                int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (timeoutNanos + 999_999) / 1_000_000));
                try {
                    doorbell.await(millis);
                } catch (SyscallException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public void close() {
                try {
                    doorbell.close();
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
