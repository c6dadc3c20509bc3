package io.sluice.core.timer;

/**
 * A hierarchical timer wheel for one worker thread: TCP timers (retransmission, delayed ACK, persist, keepalive,
 * TIME_WAIT), ARP entry ageing, reassembly timeouts. The design, the handle format and the precision guarantee are
 * in the {@linkplain io.sluice.core.timer package documentation}.
 *
 * <p><b>Single-threaded.</b> A wheel belongs to one worker; every method must be called on that worker's thread.
 * Nothing is synchronised, volatile or atomic.
 *
 * <p><b>Time is passed in.</b> Times are nanoseconds on the caller's monotonic clock ({@link System#nanoTime()}
 * semantics: compared by difference, meaningful within 292 years of the start time); the wheel never reads a
 * clock. Its notion of now is the latest time given to {@link #advance}, or the start time before that.
 *
 * <p><b>Allocation-free.</b> Timers are {@code int} handles into parallel arrays allocated at construction;
 * {@link #start}, {@link #update}, {@link #stop}, {@link #advance} and {@link #nextDeadline} allocate nothing.
 * When every timer is in use, {@link #start} returns {@link #NO_TIMER} and counts it in
 * {@link #capacityFailures()}.
 */
public final class TimerWheel {

    /** What {@link #start} returns when every timer is in use. Never a valid handle, so a zeroed field means none. */
    public static final int NO_TIMER = 0;
    /** What {@link #nextDeadline()} and {@link #deadline(int)} return when there is no such deadline. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;
    /** Default tick: 1 ms, finer than any TCP timer needs (RFC 6298 asks for a clock granularity of 100 ms or less). */
    public static final long DEFAULT_TICK_NANOS = 1_000_000L;
    /** Default slots per level. */
    public static final int DEFAULT_SLOTS_PER_LEVEL = 256;
    /** Default levels: with the defaults, 256^3 ticks of 1 ms = 4 h 39 min before timers are clamped. */
    public static final int DEFAULT_LEVELS = 3;
    /** Largest capacity: leaves at least 7 bits of generation in a handle. */
    public static final int MAX_CAPACITY = 1 << 24;

    private static final int NONE = -1;

    private final int capacity;
    private final long tickNanos;
    private final long startNanos;
    private final int slotBits;
    private final int slots;
    private final int slotMask;
    private final int levels;
    /** Ticks covered by all levels: a timer further away than this is clamped to the last slot and re-armed. */
    private final long spanTicks;
    private final int indexBits;
    private final int indexMask;
    private final int maxGeneration;
    private final int wordsPerLevel;
    /** Sentinel of the list of timers due but not yet handed to a handler (bounded advance stopped early). */
    private final int dueList;

    // Per timer (index < capacity); next/prev also hold one sentinel per slot and the due list's sentinel.
    private final long[] expiryTick;
    private final long[] userData;
    private final int[] generation;
    private final int[] next;
    private final int[] prev;
    /** One bit per slot, set while the slot's list is not empty; each level starts on its own word. */
    private final long[] occupied;

    private int freeHead;
    private int activeCount;
    /** Last tick processed: every timer expiring at or before it has been expired or sits in the due list. */
    private long currentTick;
    private long currentTime;
    private boolean advancing;
    private long capacityFailures;
    private long staleHandles;

    /**
     * A wheel with the default tick, slots and levels.
     *
     * @param capacity timers that can be active at once, at most {@link #MAX_CAPACITY}
     * @param startNanos the time now, on the clock later passed to {@link #advance}
     */
    public static TimerWheel withDefaults(int capacity, long startNanos) {
        return new TimerWheel(capacity, DEFAULT_TICK_NANOS, DEFAULT_SLOTS_PER_LEVEL, DEFAULT_LEVELS, startNanos);
    }

    /**
     * A wheel that expires timers at a granularity of {@code tickNanos} and holds {@code slotsPerLevel^levels} ticks
     * before clamping.
     *
     * @param capacity timers that can be active at once, 1 to {@link #MAX_CAPACITY}
     * @param tickNanos the tick, at least 1
     * @param slotsPerLevel a power of two, 2 to 65536
     * @param levels 1 or more; {@code log2(slotsPerLevel) * levels} must not exceed 48
     * @param startNanos the time now, on the clock later passed to {@link #advance}
     */
    public TimerWheel(int capacity, long tickNanos, int slotsPerLevel, int levels, long startNanos) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity " + capacity + " not in 1.." + MAX_CAPACITY);
        }
        if (tickNanos < 1) {
            throw new IllegalArgumentException("tick " + tickNanos + " ns must be at least 1");
        }
        if (slotsPerLevel < 2 || slotsPerLevel > 65536 || Integer.bitCount(slotsPerLevel) != 1) {
            throw new IllegalArgumentException("slots per level " + slotsPerLevel + " not a power of two in 2..65536");
        }
        int bits = Integer.numberOfTrailingZeros(slotsPerLevel);
        if (levels < 1 || bits * levels > 48) {
            throw new IllegalArgumentException("levels " + levels + " with " + slotsPerLevel
                    + " slots: need 1 or more levels and at most 2^48 ticks");
        }
        this.capacity = capacity;
        this.tickNanos = tickNanos;
        this.startNanos = startNanos;
        this.slotBits = bits;
        this.slots = slotsPerLevel;
        this.slotMask = slotsPerLevel - 1;
        this.levels = levels;
        this.spanTicks = 1L << (bits * levels);
        this.indexBits = Math.max(1, 32 - Integer.numberOfLeadingZeros(capacity - 1));
        this.indexMask = (1 << indexBits) - 1;
        this.maxGeneration = (1 << (31 - indexBits)) - 1;
        this.wordsPerLevel = Math.max(1, slotsPerLevel >>> 6);
        this.dueList = capacity + levels * slotsPerLevel;

        this.expiryTick = new long[capacity];
        this.userData = new long[capacity];
        this.generation = new int[capacity];
        this.next = new int[dueList + 1];
        this.prev = new int[dueList + 1];
        this.occupied = new long[levels * wordsPerLevel];
        for (int i = 0; i < capacity; i++) {
            generation[i] = 1;
            next[i] = i + 1 < capacity ? i + 1 : NONE;
            prev[i] = NONE;
        }
        for (int sentinel = capacity; sentinel <= dueList; sentinel++) {
            next[sentinel] = sentinel;
            prev[sentinel] = sentinel;
        }
        this.freeHead = 0;
        this.currentTick = 0;
        this.currentTime = startNanos;
    }

    // ---- Timers -------------------------------------------------------------------------------------------------

    /**
     * Starts a timer that expires at {@code deadlineNanos} (rounded up to a tick; a deadline already past expires at
     * the next tick).
     *
     * @return the timer's handle, or {@link #NO_TIMER} when every timer is in use (counted)
     */
    public int start(long deadlineNanos, long data) {
        int index = freeHead;
        if (index == NONE) {
            capacityFailures++;
            return NO_TIMER;
        }
        freeHead = next[index];
        userData[index] = data;
        activeCount++;
        schedule(index, tickAtOrAfter(deadlineNanos));
        return generation[index] << indexBits | index;
    }

    /** {@link #start} with a deadline {@code delayNanos} after {@link #currentTime()}. */
    public int startAfter(long delayNanos, long data) {
        return start(currentTime + delayNanos, data);
    }

    /**
     * Stops a timer in O(1). A stale handle (the timer expired or was stopped, even if its slot has since been reused
     * by another timer) is a no-op, counted in {@link #staleHandles()}.
     *
     * @return true if the timer was active and is now stopped
     */
    public boolean stop(int handle) {
        int index = indexOfActive(handle);
        if (index == NONE) {
            staleHandles++;
            return false;
        }
        unlink(index);
        release(index);
        return true;
    }

    /**
     * Moves an active timer to a new deadline, earlier or later, in O(1); the handle stays the same. A stale handle
     * is a no-op, counted in {@link #staleHandles()}: start a new timer instead.
     *
     * @return true if the timer was active and now expires at the new deadline
     */
    public boolean update(int handle, long deadlineNanos) {
        int index = indexOfActive(handle);
        if (index == NONE) {
            staleHandles++;
            return false;
        }
        unlink(index);
        schedule(index, tickAtOrAfter(deadlineNanos));
        return true;
    }

    /** Whether {@code handle} names a timer that has neither expired nor been stopped. */
    public boolean isActive(int handle) {
        return indexOfActive(handle) != NONE;
    }

    /** The user data of an active timer, or {@code defaultValue} if the handle is stale. */
    public long userData(int handle, long defaultValue) {
        int index = indexOfActive(handle);
        return index == NONE ? defaultValue : userData[index];
    }

    /**
     * When an active timer expires: its deadline rounded up to a tick (or the next tick, if it was started with a
     * deadline already past). {@link #NO_DEADLINE} if the handle is stale.
     */
    public long deadline(int handle) {
        int index = indexOfActive(handle);
        return index == NONE ? NO_DEADLINE : timeOfTick(expiryTick[index]);
    }

    // ---- Time ---------------------------------------------------------------------------------------------------

    /** {@link #advance(long, ExpiryHandler, int)} with no bound on the number of expirations. */
    public int advance(long nowNanos, ExpiryHandler handler) {
        return advance(nowNanos, handler, Integer.MAX_VALUE);
    }

    /**
     * Moves the wheel's time to {@code nowNanos} (an earlier time than the wheel's is ignored) and expires, in order
     * of deadline at tick granularity, every timer whose deadline, rounded up to a tick, is at or before it: for each
     * one, {@code handler.onExpired(handle, userData)}.
     *
     * <p>At most {@code maxExpirations} handlers are called. The rest stay due and are expired first by the next call
     * (with the same or a later time), so a worker can bound the work of one loop iteration and lose nothing. Moving
     * timers down from higher levels (cascading) is amortised O(1) per timer and level but is not bounded by
     * {@code maxExpirations}. Empty ticks are skipped through per-level occupancy bitmaps, so waking after an hour
     * costs the slots that hold timers, not 3.6 million ticks.
     *
     * @return how many timers expired
     * @throws IllegalStateException if called from an expiry handler
     */
    public int advance(long nowNanos, ExpiryHandler handler, int maxExpirations) {
        if (advancing) {
            throw new IllegalStateException("advance called from an expiry handler");
        }
        advancing = true;
        try {
            if (nowNanos - currentTime > 0) {
                currentTime = nowNanos;
            }
            long targetTick = Math.floorDiv(currentTime - startNanos, tickNanos);
            int expired = 0;
            while (true) {
                while (expired < maxExpirations && next[dueList] != dueList) {
                    int index = next[dueList];
                    unlink(index);
                    if (expiryTick[index] > currentTick) {
                        // Only a one-level wheel lets a clamped timer reach the due list: put it back.
                        place(index, expiryTick[index], currentTick + 1);
                        continue;
                    }
                    int handle = generation[index] << indexBits | index;
                    long data = userData[index];
                    release(index);
                    expired++;
                    handler.onExpired(handle, data);
                }
                if (expired >= maxExpirations || next[dueList] != dueList || currentTick >= targetTick) {
                    return expired;
                }
                long tick = nextBusyTick();
                if (tick > targetTick) {
                    currentTick = targetTick;
                    return expired;
                }
                currentTick = tick;
                cascade(tick);
                moveSlotToDue((int) tick & slotMask);
            }
        } finally {
            advancing = false;
        }
    }

    /**
     * The earliest time at which {@link #advance} has work: never later than the earliest deadline (rounded up to a
     * tick), so a worker that sleeps until then misses nothing. Exact when the earliest timer is within the lowest
     * level's reach ({@code slotsPerLevel} ticks); otherwise it may be the earlier time at which that timer's slot is
     * moved down a level, after which the answer is exact again. {@link #currentTime()} or earlier if timers are
     * already due; {@link #NO_DEADLINE} if no timer is active.
     */
    public long nextDeadline() {
        if (next[dueList] != dueList) {
            return currentTime;
        }
        long tick = nextBusyTick();
        return tick == Long.MAX_VALUE ? NO_DEADLINE : timeOfTick(tick);
    }

    /** The wheel's now: the latest time given to {@link #advance}, or the start time. */
    public long currentTime() {
        return currentTime;
    }

    // ---- Configuration and counters -----------------------------------------------------------------------------

    /** Timers that can be active at once. */
    public int capacity() {
        return capacity;
    }

    /** Timers started and not yet expired or stopped. */
    public int activeCount() {
        return activeCount;
    }

    /** The granularity of expiry. */
    public long tickNanos() {
        return tickNanos;
    }

    /** How far ahead the wheel holds a timer in place; a later deadline is clamped to the end and re-armed. */
    public long spanNanos() {
        return spanTicks * tickNanos;
    }

    /** Calls to {@link #start} that found every timer in use. */
    public long capacityFailures() {
        return capacityFailures;
    }

    /** Calls to {@link #stop} or {@link #update} with a handle that was no longer active. */
    public long staleHandles() {
        return staleHandles;
    }

    // ---- Internals ----------------------------------------------------------------------------------------------

    private int indexOfActive(int handle) {
        if (handle <= 0) {
            return NONE;
        }
        int index = handle & indexMask;
        if (index >= capacity || generation[index] != handle >>> indexBits) {
            return NONE;
        }
        return index;
    }

    /** Back to the free list, with a new generation so that the old handle goes stale. */
    private void release(int index) {
        int gen = generation[index];
        generation[index] = gen == maxGeneration ? 1 : gen + 1;
        prev[index] = NONE;
        next[index] = freeHead;
        freeHead = index;
        activeCount--;
    }

    private long tickAtOrAfter(long deadlineNanos) {
        return Math.ceilDiv(deadlineNanos - startNanos, tickNanos);
    }

    private long timeOfTick(long tick) {
        return startNanos + tick * tickNanos;
    }

    /** Puts a timer that is in no list into the wheel, expiring no earlier than the next tick. */
    private void schedule(int index, long tick) {
        long base = currentTick + 1;
        long expiry = Math.max(tick, base);
        expiryTick[index] = expiry;
        place(index, expiry, base);
    }

    /**
     * Links a timer into the slot for {@code tick}, seen from {@code base} (the first tick not yet processed, or the
     * tick being processed while cascading; {@code tick >= base}). The level is the one whose reach covers the
     * distance; the slot is the tick's digit at that level, so it is processed (level 0) or moved down (higher
     * levels) exactly when the wheel reaches the tick with that digit and zeros below it.
     */
    private void place(int index, long tick, long base) {
        long distance = tick - base;
        int level;
        long slotTick;
        if (distance >= spanTicks) {
            level = levels - 1;
            slotTick = base + spanTicks - 1;
        } else {
            level = distance == 0 ? 0 : (63 - Long.numberOfLeadingZeros(distance)) / slotBits;
            slotTick = tick;
        }
        int slot = (int) (slotTick >>> (level * slotBits)) & slotMask;
        int sentinel = capacity + (level << slotBits) + slot;
        int last = prev[sentinel];
        next[last] = index;
        prev[index] = last;
        next[index] = sentinel;
        prev[sentinel] = index;
        occupied[level * wordsPerLevel + (slot >>> 6)] |= 1L << slot;
    }

    /** O(1): the lists are circular with a sentinel, so no list head needs to be found. */
    private void unlink(int index) {
        int before = prev[index];
        int after = next[index];
        next[before] = after;
        prev[after] = before;
        if (before == after && before != dueList) {
            // Only a sentinel links to itself: the slot is now empty.
            int position = before - capacity;
            int slot = position & slotMask;
            occupied[(position >>> slotBits) * wordsPerLevel + (slot >>> 6)] &= ~(1L << slot);
        }
    }

    /**
     * Moves the higher levels' slots that {@code tick} reaches down, top level first. (The order does not matter: a
     * timer moved down from level k lands below level k-1's slot for this tick, whose digit is 0, or on level 0.)
     */
    private void cascade(long tick) {
        for (int level = levels - 1; level >= 1; level--) {
            int shift = level * slotBits;
            if ((tick & ((1L << shift) - 1)) != 0) {
                continue;
            }
            int slot = (int) (tick >>> shift) & slotMask;
            int sentinel = capacity + (level << slotBits) + slot;
            int index = next[sentinel];
            if (index == sentinel) {
                continue;
            }
            next[sentinel] = sentinel;
            prev[sentinel] = sentinel;
            occupied[level * wordsPerLevel + (slot >>> 6)] &= ~(1L << slot);
            while (index != sentinel) {
                int following = next[index];
                place(index, expiryTick[index], tick);
                index = following;
            }
        }
    }

    /** Splices a level-0 slot onto the (empty) due list in O(1). */
    private void moveSlotToDue(int slot) {
        int sentinel = capacity + slot;
        int first = next[sentinel];
        if (first == sentinel) {
            return;
        }
        int last = prev[sentinel];
        next[dueList] = first;
        prev[first] = dueList;
        prev[dueList] = last;
        next[last] = dueList;
        next[sentinel] = sentinel;
        prev[sentinel] = sentinel;
        occupied[slot >>> 6] &= ~(1L << slot);
    }

    /**
     * The first tick after {@link #currentTick} at which some level has work (a level-0 slot to expire or a higher
     * slot to move down), or {@link Long#MAX_VALUE}.
     */
    private long nextBusyTick() {
        long best = Long.MAX_VALUE;
        for (int level = 0; level < levels; level++) {
            int shift = level * slotBits;
            long boundary = ((currentTick >>> shift) + 1) << shift;
            int distance = slotsUntilOccupied(level, (int) (boundary >>> shift) & slotMask);
            if (distance >= 0) {
                long tick = boundary + ((long) distance << shift);
                if (tick < best) {
                    best = tick;
                }
            }
        }
        return best;
    }

    /** Slots from {@code from} (circularly) to the first occupied slot of the level, or -1 if all are empty. */
    private int slotsUntilOccupied(int level, int from) {
        int firstWord = level * wordsPerLevel;
        if (slots < 64) {
            long bits = occupied[firstWord];
            if (bits == 0) {
                return -1;
            }
            long rotated = (bits >>> from) | (bits << (slots - from));
            return Long.numberOfTrailingZeros(rotated & ((1L << slots) - 1));
        }
        int word = from >>> 6;
        long bits = occupied[firstWord + word] & (-1L << (from & 63));
        for (int visited = 0; visited <= wordsPerLevel; visited++) {
            if (bits != 0) {
                return ((word << 6) + Long.numberOfTrailingZeros(bits) - from) & slotMask;
            }
            word = (word + 1) & (wordsPerLevel - 1);
            bits = occupied[firstWord + word];
        }
        return -1;
    }
}
