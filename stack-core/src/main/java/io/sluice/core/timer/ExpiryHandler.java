package io.sluice.core.timer;

/**
 * What a {@link TimerWheel} calls for each timer it expires. A functional interface on primitives, so a worker can
 * pass one long-lived instance (or a lambda that captures nothing per call) and expiry boxes nothing.
 */
@FunctionalInterface
public interface ExpiryHandler {

    /**
     * Called once for an expired timer, on the thread that called {@link TimerWheel#advance}.
     *
     * <p>The timer is already released when this runs: {@code handle} is stale ({@link TimerWheel#isActive} answers
     * false, {@link TimerWheel#stop} is a no-op), so an owner can compare it with the handle it stored to tell that
     * this is the expiry of the timer it knows about. The handler may start, stop and update any timers, including
     * ones due in the same tick; it must not call {@code advance}.
     *
     * @param handle the handle {@link TimerWheel#start} returned for this timer
     * @param userData the owner's value given to {@code start} (for example a connection index and a timer kind)
     */
    void onExpired(int handle, long userData);
}
