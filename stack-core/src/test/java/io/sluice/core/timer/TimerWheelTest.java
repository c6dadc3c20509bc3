package io.sluice.core.timer;

import static io.sluice.core.timer.TimerWheel.NO_DEADLINE;
import static io.sluice.core.timer.TimerWheel.NO_TIMER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Behaviour of {@link TimerWheel} with time driven explicitly: expiry at the deadline on every level, never early,
 * at most one tick late, order, stop and update, stale handles, exhaustion, handlers that change timers, bounded
 * advance, long idle jumps and {@code nextDeadline}.
 */
class TimerWheelTest {

    /** A start time far from zero, so nothing depends on the clock's origin. */
    private static final long START = 7_000_000_123L;
    private static final long MS = 1_000_000L;
    private static final long HOUR = 3_600_000 * MS;

    /** Expirations, with the wheel's time when each happened. */
    private static final class Recorder implements ExpiryHandler {
        final TimerWheel wheel;
        final List<Long> data = new ArrayList<>();
        final List<Long> times = new ArrayList<>();
        final List<Integer> handles = new ArrayList<>();

        Recorder(TimerWheel wheel) {
            this.wheel = wheel;
        }

        @Override
        public void onExpired(int handle, long userData) {
            handles.add(handle);
            data.add(userData);
            times.add(wheel.currentTime());
        }

        int count() {
            return data.size();
        }
    }

    private static TimerWheel defaults(int capacity) {
        return TimerWheel.withDefaults(capacity, START);
    }

    // ---- Expiry on every level ------------------------------------------------------------------------------------

    /** Delays in ticks of 1 ms: one tick, each side of each level boundary (256, 256^2, 256^3), keepalive, 10 h. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 255, 256, 257, 65_535, 65_536, 65_537, 16_777_215, 16_777_216, 16_777_217,
        7_260_000, 36_000_000})
    void firesExactlyAtTheDeadlineOnEveryLevel(long delayTicks) {
        TimerWheel wheel = defaults(16);
        Recorder recorder = new Recorder(wheel);
        long deadline = START + delayTicks * MS;
        int handle = wheel.start(deadline, 42);

        // Many steps before the deadline, crossing cascade points of every level: nothing fires.
        SplittableRandom random = new SplittableRandom(delayTicks);
        long now = START;
        for (int step = 0; step < 200; step++) {
            now += random.nextLong(1, Math.max(2, (deadline - now) / 8));
            if (now >= deadline) {
                break;
            }
            assertEquals(0, wheel.advance(now, recorder));
            assertTrue(wheel.isActive(handle));
        }
        assertEquals(0, wheel.advance(deadline - 1, recorder), "one nanosecond early");
        assertEquals(1, wheel.advance(deadline, recorder), "at the deadline");
        assertEquals(List.of(42L), recorder.data);
        assertEquals(List.of(handle), recorder.handles);
        assertFalse(wheel.isActive(handle));
        assertEquals(0, wheel.activeCount());
        assertEquals(NO_DEADLINE, wheel.nextDeadline());
    }

    /** The same delays from a wheel that has already turned, so that expiry ticks carry into higher digits. */
    @ParameterizedTest
    @ValueSource(longs = {1, 255, 256, 257, 65_535, 65_536, 65_537, 16_777_215, 16_777_216, 16_777_217})
    void firesExactlyAtTheDeadlineFromAnOddPosition(long delayTicks) {
        TimerWheel wheel = defaults(16);
        Recorder recorder = new Recorder(wheel);
        long now = START + 16_777_215 * MS + 65_535 * MS + 255 * MS;
        wheel.advance(now, recorder);
        long deadline = now + delayTicks * MS;
        wheel.start(deadline, 7);
        assertEquals(0, wheel.advance(deadline - 1, recorder));
        assertEquals(1, wheel.advance(deadline, recorder));
    }

    @Test
    void neverEarlyAndAtMostOneTickLate() {
        // A small wheel (16 slots, 3 levels, 4096 ticks, then clamping) stepped by a third of a tick.
        long tick = 1_000;
        long step = tick / 3;
        TimerWheel wheel = new TimerWheel(2_000, tick, 16, 3, START);
        SplittableRandom random = new SplittableRandom(1);
        long[] deadlines = new long[2_000];
        for (int i = 0; i < deadlines.length; i++) {
            deadlines[i] = START + random.nextLong(-2 * tick, 10_000 * tick);
            assertNotEquals(NO_TIMER, wheel.start(deadlines[i], i));
        }
        long[] firedAt = new long[deadlines.length];
        long end = START + 10_002 * tick;
        for (long now = START; now <= end; now += step) {
            long at = now;
            wheel.advance(now, (handle, data) -> firedAt[(int) data] = at);
        }
        for (int i = 0; i < deadlines.length; i++) {
            long expected = Math.max(deadlines[i], START);
            assertTrue(firedAt[i] >= expected, "timer " + i + " early: " + firedAt[i] + " < " + expected);
            assertTrue(firedAt[i] < expected + tick + step, "timer " + i + " more than a tick late");
        }
    }

    @Test
    void expiresInDeadlineOrderAcrossLevels() {
        TimerWheel wheel = defaults(5_000);
        SplittableRandom random = new SplittableRandom(2);
        for (int i = 0; i < 5_000; i++) {
            long delay = random.nextLong(1, 1L << random.nextInt(1, 45));
            long deadline = START + delay;
            wheel.start(deadline, deadline);
        }
        List<Long> deadlines = new ArrayList<>();
        wheel.advance(START + 6 * HOUR, (handle, data) -> deadlines.add(data));
        assertEquals(5_000, deadlines.size());
        for (int i = 1; i < deadlines.size(); i++) {
            long previousTick = Math.ceilDiv(deadlines.get(i - 1) - START, MS);
            long tick = Math.ceilDiv(deadlines.get(i) - START, MS);
            assertTrue(previousTick <= tick, "out of order at " + i);
        }
    }

    // ---- Stop and update ------------------------------------------------------------------------------------------

    @Test
    void stoppedTimersNeverFire() {
        TimerWheel wheel = defaults(8);
        Recorder recorder = new Recorder(wheel);
        int level0 = wheel.start(START + 5 * MS, 0);
        int level1 = wheel.start(START + 300 * MS, 1);
        int level2 = wheel.start(START + 70_000 * MS, 2);
        int clamped = wheel.start(START + 10 * HOUR, 3);
        int kept = wheel.start(START + 300 * MS, 4);
        assertTrue(wheel.stop(level0));
        assertTrue(wheel.stop(level1));
        wheel.advance(START + 1_000 * MS, recorder);
        assertTrue(wheel.stop(level2));
        assertTrue(wheel.stop(clamped));
        wheel.advance(START + 11 * HOUR, recorder);
        assertEquals(List.of(4L), recorder.data);
        assertFalse(wheel.isActive(kept));
        assertFalse(wheel.stop(level0), "second stop");
        assertFalse(wheel.stop(kept), "stop after expiry");
        assertEquals(2, wheel.staleHandles());
        assertEquals(0, wheel.activeCount());
    }

    @Test
    void updateMovesTimersEarlierAndLaterAcrossLevels() {
        TimerWheel wheel = defaults(8);
        Recorder recorder = new Recorder(wheel);
        int far = wheel.start(START + 10 * HOUR, 1);
        int near = wheel.start(START + 5 * MS, 2);
        int level1 = wheel.start(START + 400 * MS, 3);

        assertTrue(wheel.update(far, START + 7 * MS));
        assertTrue(wheel.update(near, START + 3 * HOUR));
        assertTrue(wheel.update(level1, START + 100_000 * MS));
        assertEquals(START + 7 * MS, wheel.deadline(far));
        assertEquals(START + 3 * HOUR, wheel.deadline(near));

        wheel.advance(START + 6 * MS, recorder);
        assertEquals(0, recorder.count(), "near was moved later");
        wheel.advance(START + 7 * MS, recorder);
        assertEquals(List.of(1L), recorder.data);
        assertEquals(List.of(far), recorder.handles, "the handle survives update");

        // Move a timer already cascaded to a lower level back out, and then in again.
        wheel.advance(START + 99_990 * MS, recorder);
        assertTrue(wheel.update(level1, START + 2 * HOUR));
        assertTrue(wheel.update(level1, START + 99_995 * MS));
        wheel.advance(START + 99_994 * MS, recorder);
        assertEquals(1, recorder.count());
        wheel.advance(START + 99_995 * MS, recorder);
        assertEquals(List.of(1L, 3L), recorder.data);

        wheel.advance(START + 3 * HOUR - 1, recorder);
        assertEquals(2, recorder.count());
        wheel.advance(START + 3 * HOUR, recorder);
        assertEquals(List.of(1L, 3L, 2L), recorder.data);
        assertFalse(wheel.update(near, START + 4 * HOUR), "update after expiry");
        assertEquals(1, wheel.staleHandles());
    }

    @Test
    void updateToAPastDeadlineFiresAtTheNextTick() {
        TimerWheel wheel = defaults(4);
        Recorder recorder = new Recorder(wheel);
        wheel.advance(START + 10 * MS, recorder);
        int handle = wheel.start(START + HOUR, 9);
        assertTrue(wheel.update(handle, START));
        assertEquals(START + 11 * MS, wheel.deadline(handle));
        assertEquals(0, wheel.advance(START + 11 * MS - 1, recorder));
        assertEquals(1, wheel.advance(START + 11 * MS, recorder));
    }

    // ---- Handles --------------------------------------------------------------------------------------------------

    @Test
    void staleHandlesAreRejectedAfterExpiryAndReuse() {
        TimerWheel wheel = defaults(1);
        Recorder recorder = new Recorder(wheel);
        int first = wheel.start(START + MS, 1);
        wheel.advance(START + MS, recorder);
        int second = wheel.start(START + 5 * MS, 2);
        assertNotEquals(first, second, "same index, new generation");
        assertFalse(wheel.isActive(first));
        assertFalse(wheel.stop(first));
        assertFalse(wheel.update(first, START + 2 * MS));
        assertEquals(-1, wheel.userData(first, -1));
        assertEquals(NO_DEADLINE, wheel.deadline(first));
        assertTrue(wheel.isActive(second), "the stale stop left the new timer alone");
        assertEquals(2, wheel.userData(second, -1));
        assertEquals(START + 5 * MS, wheel.deadline(second));

        assertTrue(wheel.stop(second));
        int third = wheel.start(START + 5 * MS, 3);
        assertFalse(wheel.stop(second));
        for (int garbage : new int[] {NO_TIMER, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, third ^ 1}) {
            assertFalse(wheel.stop(garbage));
            assertFalse(wheel.isActive(garbage));
        }
        assertEquals(8, wheel.staleHandles());
        wheel.advance(START + HOUR, recorder);
        assertEquals(List.of(1L, 3L), recorder.data);
    }

    @Test
    void handlesAreNeverZeroAndDistinctWhileActive() {
        TimerWheel wheel = defaults(1_000);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            int handle = wheel.start(START + (i + 1) * MS, i);
            assertTrue(handle > 0);
            assertTrue(seen.add(handle));
        }
    }

    @Test
    void exhaustionReturnsNoTimerAndCountsThenRecovers() {
        TimerWheel wheel = defaults(4);
        int[] handles = new int[4];
        for (int i = 0; i < 4; i++) {
            handles[i] = wheel.start(START + (i + 1) * MS, i);
            assertNotEquals(NO_TIMER, handles[i]);
        }
        assertEquals(NO_TIMER, wheel.start(START + MS, 9));
        assertEquals(NO_TIMER, wheel.startAfter(MS, 9));
        assertEquals(2, wheel.capacityFailures());
        assertEquals(4, wheel.activeCount());

        assertTrue(wheel.stop(handles[2]));
        int again = wheel.start(START + 10 * MS, 10);
        assertNotEquals(NO_TIMER, again);
        assertEquals(NO_TIMER, wheel.start(START + MS, 11));
        assertEquals(3, wheel.capacityFailures());

        Recorder recorder = new Recorder(wheel);
        wheel.advance(START + 10 * MS, recorder);
        assertEquals(List.of(0L, 1L, 3L, 10L), recorder.data);
        assertEquals(0, wheel.activeCount());
        for (int i = 0; i < 4; i++) {
            assertNotEquals(NO_TIMER, wheel.start(START + HOUR, i));
        }
    }

    // ---- Handlers that change timers ------------------------------------------------------------------------------

    @Test
    void handlerMayStopStartAndUpdateTimersInTheSameSlot() {
        TimerWheel wheel = new TimerWheel(16, MS, 8, 3, START);
        int[] h = new int[8];
        h[0] = wheel.start(START + 4 * MS, 0);
        h[1] = wheel.start(START + 4 * MS, 1);
        h[2] = wheel.start(START + 4 * MS, 2);
        h[3] = wheel.start(START + 4 * MS, 3);
        List<Long> fired = new ArrayList<>();
        List<Long> firedAt = new ArrayList<>();
        ExpiryHandler handler = new ExpiryHandler() {
            @Override
            public void onExpired(int handle, long data) {
                fired.add(data);
                firedAt.add(wheel.currentTime());
                if (fired.size() == 1) {
                    assertFalse(wheel.stop(handle), "the firing timer is already released");
                    assertFalse(wheel.isActive(handle));
                    // Whichever fired first: stop one sibling, push another later, leave the third.
                    int first = (int) data;
                    int stopped = (first + 1) % 4;
                    int moved = (first + 2) % 4;
                    assertTrue(wheel.stop(h[stopped]));
                    assertTrue(wheel.update(h[moved], START + 20 * MS));
                    // A timer already due fires at the next tick, not in this one.
                    h[4] = wheel.start(START, 4);
                    // A timer one wheel turn away lands in the slot being expired: it must wait its turn.
                    h[5] = wheel.start(START + 12 * MS, 5);
                    // The firing timer restarts itself, reusing its index with a new generation.
                    h[6] = wheel.start(START + 6 * MS, 6);
                }
            }
        };
        assertEquals(2, wheel.advance(START + 4 * MS, handler));
        int first = fired.get(0).intValue();
        int stopped = (first + 1) % 4;
        int moved = (first + 2) % 4;
        int left = (first + 3) % 4;
        assertEquals(List.of((long) first, (long) left), fired);
        assertFalse(wheel.isActive(h[stopped]));
        assertTrue(wheel.isActive(h[moved]));

        wheel.advance(START + 100 * MS, handler);
        assertEquals(List.of((long) first, (long) left, 4L, 6L, 5L, (long) moved), fired);
        assertEquals(List.of(START + 4 * MS, START + 4 * MS, START + 100 * MS, START + 100 * MS, START + 100 * MS,
                START + 100 * MS), firedAt);
        assertEquals(0, wheel.activeCount());
    }

    /**
     * Handlers that stop, update and start random timers, many of them due in the same tick as the one expiring:
     * every timer expires exactly once unless stopped first, never before its latest deadline, and a stopped timer
     * never expires.
     */
    @Test
    void handlersChangingRandomTimersLoseAndRepeatNothing() {
        int total = 6_000;
        TimerWheel wheel = new TimerWheel(total, MS, 16, 3, START);
        SplittableRandom random = new SplittableRandom(4);
        int[] handles = new int[total];
        long[] deadlines = new long[total];
        int[] expirations = new int[total];
        boolean[] stopped = new boolean[total];
        int[] started = {0};
        List<Integer> active = new ArrayList<>();
        for (; started[0] < total / 2; started[0]++) {
            int id = started[0];
            deadlines[id] = START + random.nextLong(0, 40 * MS);
            handles[id] = wheel.start(deadlines[id], id);
            active.add(id);
        }
        ExpiryHandler handler = (handle, data) -> {
            int id = (int) data;
            expirations[id]++;
            assertEquals(handles[id], handle);
            assertTrue(wheel.currentTime() >= deadlines[id], "early");
            active.remove(Integer.valueOf(id));
            int action = random.nextInt(10);
            if (action < 3 && !active.isEmpty()) {
                int victim = active.remove(random.nextInt(active.size()));
                assertTrue(wheel.stop(handles[victim]));
                stopped[victim] = true;
            } else if (action < 5 && !active.isEmpty()) {
                int moved = active.get(random.nextInt(active.size()));
                deadlines[moved] = wheel.currentTime() + random.nextLong(-2 * MS, 600 * MS);
                assertTrue(wheel.update(handles[moved], deadlines[moved]));
            } else if (action < 8 && started[0] < total) {
                int id2 = started[0]++;
                deadlines[id2] = wheel.currentTime() + random.nextLong(-2 * MS, 600 * MS);
                handles[id2] = wheel.start(deadlines[id2], id2);
                assertNotEquals(NO_TIMER, handles[id2]);
                active.add(id2);
            }
        };
        for (long now = START; wheel.activeCount() > 0; now += random.nextLong(1, 4 * MS)) {
            wheel.advance(now, handler, random.nextInt(1, 20));
        }
        for (int id = 0; id < started[0]; id++) {
            assertEquals(stopped[id] ? 0 : 1, expirations[id], "timer " + id);
        }
        assertTrue(started[0] > total / 2 + 500, "handlers started timers");
    }

    @Test
    void handlerMayRearmAPeriodicTimer() {
        TimerWheel wheel = defaults(4);
        long period = 75 * MS;
        int[] count = new int[1];
        ExpiryHandler rearm = (handle, data) -> {
            count[0]++;
            assertNotEquals(NO_TIMER, wheel.start(data + period, data + period));
        };
        wheel.start(START + period, START + period);
        for (long now = START; now <= START + 60_000 * MS; now += 10 * MS) {
            wheel.advance(now, rearm);
        }
        assertEquals(800, count[0]);
        assertEquals(1, wheel.activeCount());
    }

    @Test
    void advanceFromAHandlerIsRefused() {
        TimerWheel wheel = defaults(4);
        wheel.start(START + MS, 0);
        Recorder inner = new Recorder(wheel);
        assertThrows(IllegalStateException.class,
                () -> wheel.advance(START + MS, (handle, data) -> wheel.advance(START + 2 * MS, inner)));
        wheel.start(START + 3 * MS, 1);
        assertEquals(1, wheel.advance(START + 3 * MS, inner), "usable after the handler threw");
    }

    // ---- Bounded work, time jumps ---------------------------------------------------------------------------------

    @Test
    void boundedAdvanceContinuesWhereItStopped() {
        TimerWheel wheel = defaults(300);
        for (int i = 0; i < 100; i++) {
            wheel.start(START + 3 * MS, i);
        }
        for (int i = 100; i < 300; i++) {
            wheel.start(START + (i - 96) * MS + 400 * MS * (i % 3), i);
        }
        Recorder recorder = new Recorder(wheel);
        long now = START + HOUR;
        int calls = 0;
        int expired;
        do {
            expired = wheel.advance(now, recorder, 30);
            assertTrue(expired <= 30);
            calls++;
            if (expired == 30 && wheel.activeCount() > 0) {
                assertTrue(wheel.nextDeadline() <= now, "work left: due now");
            }
        } while (expired == 30);
        assertEquals(11, calls, "ten full calls, then one that finds nothing");
        assertEquals(300, recorder.count());
        long previous = Long.MIN_VALUE;
        for (long data : recorder.data) {
            long tick = data < 100 ? 3 : (data - 96) + 400 * (data % 3);
            assertTrue(tick >= previous, "order kept across bounded calls");
            previous = tick;
        }
        assertEquals(NO_DEADLINE, wheel.nextDeadline());
    }

    @Test
    void boundedAdvanceWithAnEarlierTimeStillDrainsTheDueTimers() {
        TimerWheel wheel = defaults(10);
        for (int i = 0; i < 10; i++) {
            wheel.start(START + 2 * MS, i);
        }
        Recorder recorder = new Recorder(wheel);
        assertEquals(4, wheel.advance(START + 2 * MS, recorder, 4));
        assertEquals(4, wheel.advance(START, recorder, 4), "time never goes back; the due timers stay due");
        assertEquals(2, wheel.advance(START + MS, recorder, 4));
        assertEquals(START + 2 * MS, wheel.currentTime());
    }

    @Test
    void idleWorkerWakingAfterAnHourExpiresEverythingDueInOrder() {
        TimerWheel wheel = defaults(20_000);
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 20_000; i++) {
            long deadline = START + random.nextLong(0, 2 * HOUR);
            wheel.start(deadline, deadline);
        }
        List<Long> fired = new ArrayList<>();
        wheel.advance(START + HOUR, (handle, data) -> fired.add(data));
        long expected = 0;
        for (int i = 0; i < fired.size(); i++) {
            assertTrue(fired.get(i) <= START + HOUR, "never early");
            if (i > 0) {
                assertTrue(Math.ceilDiv(fired.get(i - 1) - START, MS) <= Math.ceilDiv(fired.get(i) - START, MS));
            }
        }
        random = new SplittableRandom(3);
        for (int i = 0; i < 20_000; i++) {
            if (random.nextLong(0, 2 * HOUR) <= HOUR) {
                expected++;
            }
        }
        assertEquals(expected, fired.size());
        assertEquals(20_000 - expected, wheel.activeCount());
    }

    @Test
    void oneLevelWheelClampsAndRearms() {
        TimerWheel wheel = new TimerWheel(4, MS, 8, 1, START);
        Recorder recorder = new Recorder(wheel);
        wheel.start(START + 100 * MS, 1);
        wheel.start(START + 3 * MS, 2);
        for (long now = START; now < START + 100 * MS; now += MS / 2) {
            wheel.advance(now, recorder);
        }
        assertEquals(List.of(2L), recorder.data);
        wheel.advance(START + 100 * MS, recorder);
        assertEquals(List.of(2L, 1L), recorder.data);
    }

    // ---- nextDeadline ---------------------------------------------------------------------------------------------

    @Test
    void nextDeadlineIsExactOnTheLowestLevelAndNeverLate() {
        TimerWheel wheel = defaults(8);
        Recorder recorder = new Recorder(wheel);
        assertEquals(NO_DEADLINE, wheel.nextDeadline());

        int far = wheel.start(START + 2 * HOUR + 123 * MS, 1);
        long lowerBound = wheel.nextDeadline();
        assertTrue(lowerBound > START && lowerBound <= START + 2 * HOUR + 123 * MS);

        int near = wheel.start(START + 200 * MS + 1, 2);
        assertEquals(START + 201 * MS, wheel.nextDeadline(), "rounded up to the tick");
        assertTrue(wheel.stop(near));

        // An idle worker that sleeps until nextDeadline each time reaches the far timer in a few wake-ups.
        int wakeUps = 0;
        while (recorder.count() == 0) {
            long sleepUntil = wheel.nextDeadline();
            assertTrue(sleepUntil <= START + 2 * HOUR + 123 * MS);
            wheel.advance(sleepUntil, recorder);
            wakeUps++;
        }
        assertTrue(wakeUps <= 3, "woke " + wakeUps + " times");
        assertEquals(START + 2 * HOUR + 123 * MS, recorder.times.get(0));
        assertFalse(wheel.isActive(far));
        assertEquals(NO_DEADLINE, wheel.nextDeadline());
    }

    @Test
    void nextDeadlineIsDueWhileBoundedWorkIsLeft() {
        TimerWheel wheel = defaults(8);
        wheel.start(START + 5 * MS, 1);
        wheel.start(START + 5 * MS, 2);
        wheel.advance(START + 9 * MS, (handle, data) -> { }, 1);
        assertEquals(START + 9 * MS, wheel.nextDeadline());
    }
}
