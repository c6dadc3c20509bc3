package io.sluice.core.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.core.util.AllocationMeter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The data path allocates nothing: with 10,000 timers in a wheel, rounds of start, update (earlier and later, across
 * levels), stop, bounded and unbounded advance and nextDeadline, measured with the JVM's per-thread allocation
 * counter after warm-up.
 */
class TimerWheelAllocationFreeTest {

    private static final int TIMERS = 10_000;
    private static final long MS = 1_000_000L;

    /** The worker's side: counts expirations and restarts half of them, as TCP restarts its timers. */
    private static final class Worker implements ExpiryHandler {
        final TimerWheel wheel;
        final int[] handles = new int[TIMERS];
        long expired;
        long failures;

        Worker(TimerWheel wheel) {
            this.wheel = wheel;
        }

        @Override
        public void onExpired(int handle, long userData) {
            expired++;
            int owner = (int) userData;
            if ((owner & 1) == 0) {
                int restarted = wheel.startAfter(40 * MS + owner, userData);
                if (restarted == TimerWheel.NO_TIMER) {
                    failures++;
                }
                handles[owner] = restarted;
            } else {
                handles[owner] = TimerWheel.NO_TIMER;
            }
        }
    }

    @Test
    void steadyStateAllocatesNothing() {
        TimerWheel wheel = TimerWheel.withDefaults(TIMERS, 0);
        Worker worker = new Worker(wheel);
        long[] state = {0, 0};
        SplittableRandom random = new SplittableRandom(5);
        long[] delays = new long[4096];
        for (int i = 0; i < delays.length; i++) {
            delays[i] = random.nextLong(1, 1L << random.nextInt(1, 44));
        }
        Runnable rounds = () -> {
            for (int round = 0; round < 20_000; round++) {
                long now = state[0];
                int owner = (int) (state[1] % TIMERS);
                long delay = delays[(int) (state[1] & 4095)];
                int handle = worker.handles[owner];
                if (!wheel.isActive(handle)) {
                    worker.handles[owner] = wheel.start(now + delay, owner);
                } else if ((round & 3) == 0) {
                    wheel.stop(handle);
                    worker.handles[owner] = TimerWheel.NO_TIMER;
                } else {
                    wheel.update(handle, now + delay);
                }
                if ((round & 15) == 0) {
                    state[0] = now + 3 * MS;
                    wheel.advance(state[0], worker, (round & 31) == 0 ? 8 : Integer.MAX_VALUE);
                    state[0] += wheel.nextDeadline() == TimerWheel.NO_DEADLINE ? 0 : 1;
                }
                state[1] = state[1] * 6364136223846793005L + 1442695040888963407L >>> 1;
            }
        };
        long allocated = AllocationMeter.allocatedInSteadyState(rounds);
        assertEquals(0, allocated, "bytes allocated on the heap by 20,000 rounds over " + TIMERS + " timers");
        assertTrue(worker.expired > 0, "timers expired");
        assertTrue(wheel.activeCount() > TIMERS / 4, "the wheel stayed busy: " + wheel.activeCount());
        assertEquals(0, worker.failures);
    }
}
