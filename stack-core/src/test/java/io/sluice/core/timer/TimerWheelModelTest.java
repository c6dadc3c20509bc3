package io.sluice.core.timer;

import static io.sluice.core.timer.TimerWheel.NO_DEADLINE;
import static io.sluice.core.timer.TimerWheel.NO_TIMER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Seeded random operations on a wheel and on a reference model (a priority queue of expiry ticks): after every
 * advance both must have expired the same timers, none before its deadline, in tick order; start, stop, update and
 * isActive must agree; nextDeadline must never be later than the model's earliest expiry. Small wheels make
 * cascading and clamping frequent; one configuration per bitmap shape (under one word, one word, several words).
 */
class TimerWheelModelTest {

    private static final long START = -3_000_000_000L;
    private static final int OPERATIONS = 40_000;

    /** The model's view of one active timer. */
    private static final class Expected {
        final int handle;
        final long data;
        final long deadline;
        final long tick;

        Expected(int handle, long data, long deadline, long tick) {
            this.handle = handle;
            this.data = data;
            this.deadline = deadline;
            this.tick = tick;
        }
    }

    @ParameterizedTest(name = "tick {0} ns, {1} slots, {2} levels, capacity {3}")
    @CsvSource({
        "1000, 8, 3, 500",
        "1000000, 256, 3, 3000",
        "100000, 64, 2, 2000",
        "7, 128, 2, 1000",
        "1000, 16, 1, 300",
    })
    void agreesWithAPriorityQueue(long tick, int slots, int levels, int capacity) {
        TimerWheel wheel = new TimerWheel(capacity, tick, slots, levels, START);
        SplittableRandom random = new SplittableRandom(tick * 31 + slots * 7L + levels);
        long span = wheel.spanNanos();

        Map<Integer, Expected> live = new HashMap<>();
        List<Integer> liveHandles = new ArrayList<>();
        List<Integer> deadHandles = new ArrayList<>();
        PriorityQueue<Expected> queue = new PriorityQueue<>((a, b) -> Long.compare(a.tick, b.tick));
        List<Integer> firedHandles = new ArrayList<>();
        List<Long> firedData = new ArrayList<>();
        ExpiryHandler handler = (handle, data) -> {
            firedHandles.add(handle);
            firedData.add(data);
        };

        long now = START;
        long modelTick = 0;
        long nextData = 1;
        for (int op = 0; op < OPERATIONS; op++) {
            int kind = random.nextInt(100);
            if (kind < 30) {
                long deadline = now + delay(random, tick, slots, span);
                long data = nextData++;
                int handle = wheel.start(deadline, data);
                if (live.size() == capacity) {
                    assertEquals(NO_TIMER, handle, "full");
                    continue;
                }
                assertNotEquals(NO_TIMER, handle);
                Expected timer = new Expected(handle, data, deadline, expectedTick(deadline, tick, modelTick));
                assertTrue(live.put(handle, timer) == null, "handle unique while active");
                liveHandles.add(handle);
                queue.add(timer);
            } else if (kind < 45) {
                if (random.nextInt(10) == 0 && !deadHandles.isEmpty()) {
                    int stale = deadHandles.get(random.nextInt(deadHandles.size()));
                    if (!live.containsKey(stale)) {
                        assertFalse(wheel.stop(stale), "stop of an old handle");
                    }
                    continue;
                }
                if (liveHandles.isEmpty()) {
                    continue;
                }
                int handle = removeRandom(liveHandles, random);
                Expected removed = live.remove(handle);
                queue.remove(removed);
                deadHandles.add(handle);
                assertTrue(wheel.stop(handle));
            } else if (kind < 60) {
                long deadline = now + delay(random, tick, slots, span);
                if (random.nextInt(10) == 0 && !deadHandles.isEmpty()) {
                    int stale = deadHandles.get(random.nextInt(deadHandles.size()));
                    if (!live.containsKey(stale)) {
                        assertFalse(wheel.update(stale, deadline), "update of an old handle");
                        continue;
                    }
                }
                if (liveHandles.isEmpty()) {
                    continue;
                }
                int handle = liveHandles.get(random.nextInt(liveHandles.size()));
                Expected old = live.get(handle);
                queue.remove(old);
                Expected moved = new Expected(handle, old.data, deadline, expectedTick(deadline, tick, modelTick));
                live.put(handle, moved);
                queue.add(moved);
                assertTrue(wheel.update(handle, deadline));
                assertEquals(wheel.deadline(handle), START + moved.tick * tick);
            } else if (kind < 65) {
                int handle = random.nextBoolean() && !deadHandles.isEmpty()
                        ? deadHandles.get(random.nextInt(deadHandles.size()))
                        : liveHandles.isEmpty() ? NO_TIMER : liveHandles.get(random.nextInt(liveHandles.size()));
                assertEquals(live.containsKey(handle), wheel.isActive(handle));
            } else {
                int size = random.nextInt(100);
                long step = size < 70 ? random.nextLong(0, 2 * tick + 1)
                        : size < 95 ? random.nextLong(0, slots * tick + 1) : random.nextLong(0, span + 1);
                now += step;
                modelTick = Math.floorDiv(now - START, tick);

                firedHandles.clear();
                firedData.clear();
                if (random.nextInt(5) == 0) {
                    int max = random.nextInt(1, 6);
                    int expired;
                    do {
                        expired = wheel.advance(now, handler, max);
                        assertTrue(expired <= max);
                    } while (expired == max);
                } else {
                    wheel.advance(now, handler);
                }

                List<Long> expectedData = new ArrayList<>();
                Map<Long, Expected> dueByData = new HashMap<>();
                while (!queue.isEmpty() && queue.peek().tick <= modelTick) {
                    Expected due = queue.poll();
                    expectedData.add(due.data);
                    dueByData.put(due.data, due);
                    live.remove(due.handle);
                }
                long previousTick = Long.MIN_VALUE;
                for (int i = 0; i < firedHandles.size(); i++) {
                    int handle = firedHandles.get(i);
                    Expected timer = dueByData.get(firedData.get(i));
                    assertNotNull(timer, "expired a timer that was not due, at op " + op);
                    assertEquals(timer.handle, handle);
                    assertTrue(timer.deadline - now <= 0, "early");
                    assertTrue(timer.tick >= previousTick, "out of tick order");
                    previousTick = timer.tick;
                    assertTrue(liveHandles.remove(Integer.valueOf(handle)));
                    deadHandles.add(handle);
                    assertFalse(wheel.isActive(handle));
                }
                List<Long> actualData = new ArrayList<>(firedData);
                Collections.sort(actualData);
                Collections.sort(expectedData);
                assertEquals(expectedData, actualData, "expired set at op " + op + ", now " + now);
                if (deadHandles.size() > 4_096) {
                    deadHandles.subList(0, 2_048).clear();
                }

                long nextDeadline = wheel.nextDeadline();
                if (queue.isEmpty()) {
                    assertEquals(NO_DEADLINE, nextDeadline);
                } else {
                    Expected first = queue.peek();
                    assertNotNull(first);
                    assertTrue(nextDeadline - (START + first.tick * tick) <= 0, "nextDeadline after the earliest");
                    assertTrue(nextDeadline - now > 0, "nothing is due after a full advance");
                }
                assertEquals(live.size(), wheel.activeCount());
            }
        }
    }

    /** Mostly near (each level gets some), some beyond the wheel's span, some already past. */
    private static long delay(SplittableRandom random, long tick, int slots, long span) {
        int kind = random.nextInt(100);
        if (kind < 45) {
            return random.nextLong(0, 4L * slots * tick);
        } else if (kind < 75) {
            return random.nextLong(0, (long) slots * slots * tick);
        } else if (kind < 95) {
            return random.nextLong(0, span + span / 2);
        }
        return -random.nextLong(0, 5 * tick);
    }

    private static long expectedTick(long deadline, long tick, long modelTick) {
        return Math.max(Math.ceilDiv(deadline - START, tick), modelTick + 1);
    }

    private static int removeRandom(List<Integer> handles, SplittableRandom random) {
        int at = random.nextInt(handles.size());
        int last = handles.size() - 1;
        int handle = handles.get(at);
        handles.set(at, handles.get(last));
        handles.remove(last);
        return handle;
    }
}
