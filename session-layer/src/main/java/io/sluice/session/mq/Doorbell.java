package io.sluice.session.mq;

/**
 * How a producer wakes a consumer that went to sleep on its queue: in production an eventfd write (the consumer
 * waits in epoll on the same eventfd), in tests anything that counts. Called at most once per sleep.
 */
@FunctionalInterface
public interface Doorbell {

    /** Wakes the consumer. Must not block; must not allocate on the hot path. */
    void ring();

    /** A doorbell for a consumer that never sleeps (busy-polls). */
    Doorbell NONE = () -> {};
}
