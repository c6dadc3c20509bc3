package io.sluice.examples.bench;

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
 * <p>Today's implementation parks the waiting thread ({@link #parking(Thread)}); an eventfd-backed one (write 1 /
 * poll and read) plugs in at {@link #forWaiter(Thread)} once {@code io.sluice.core.sys.EventFd} is available.
 */
public interface Wakeup {

    /** Producer side: wakes the waiter, or leaves a signal for its next wait. Must not block or allocate. */
    void signal();

    /** Consumer side: waits until signalled (consuming the signal) or until {@code timeoutNanos} have passed. */
    void await(long timeoutNanos);

    /** The wakeup the benchmarks use for a consumer running on {@code waiter}. The one place to swap mechanisms. */
    static Wakeup forWaiter(Thread waiter) {
        return parking(waiter);
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
