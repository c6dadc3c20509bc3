/**
 * Timers for the packet engine's workers: one {@link io.sluice.core.timer.TimerWheel} per worker holds the TCP
 * timers of its connections (retransmission 200 ms to 60 s, delayed ACK 40 ms, persist, keepalive up to 2 h,
 * TIME_WAIT), ARP entry ageing and IP reassembly timeouts. The ideas are those of VPP's {@code tw_timer} wheels and
 * of the classic hierarchical wheels (Varghese and Lauck); the code is our own.
 *
 * <h2>Time is passed in</h2>
 * The wheel never reads a clock. The worker reads its clock once per loop iteration and passes that time to
 * {@code advance(now, handler, max)}; tests pass whatever time they like and step the wheel deterministically.
 * Times are {@code long} nanoseconds on the caller's monotonic clock, not ticks, so that callers (TCP computing an
 * RTO, ARP, reassembly) need not know the wheel's tick and the tick can be changed in one place; the wheel turns
 * a time into a tick once, on entry. Times are compared by difference, as {@link System#nanoTime()} asks.
 *
 * <h2>Why hierarchical</h2>
 * A single hashed wheel with "rounds" (Netty's {@code HashedWheelTimer}) looks at every timer in a slot each time
 * the wheel comes round: with 512 slots of 1 ms, a 2-hour keepalive is looked at 14,000 times before it expires.
 * A heap costs O(log n) per start, stop and update, and TCP restarts its retransmission timer on nearly every ACK.
 * A hierarchical wheel makes start, stop and update O(1) and touches a timer once per level on its way down: level
 * {@code k} has {@code slotsPerLevel} slots of {@code slotsPerLevel^k} ticks each.
 * A timer goes to the lowest level whose reach covers its distance, in the slot given by its expiry tick's digit
 * at that level; when the wheel reaches the tick whose digit at that level is the slot's and whose lower digits
 * are zero, the slot's timers are moved down (cascaded). Most TCP timers are stopped or updated long before they
 * expire (an RTO rearmed by each ACK, a keepalive pushed back by traffic), so they mostly never cascade at all.
 * The defaults, 3 levels of 256 slots with a 1 ms tick, reach 2^24 ms = 4 h 39 min: a 2-hour keepalive plus
 * probes and a 60 s TIME_WAIT fit without clamping, in 3 levels x 256 slots x 2 ints of list heads (6 KiB).
 *
 * <h2>Beyond the top level</h2>
 * A deadline further away than the wheel's span ({@code spanNanos()}) is clamped: the timer keeps its real expiry
 * tick but is placed in the top-level slot for the last tick in reach. When that slot is cascaded the timer is
 * placed again from its real expiry, clamped again if still out of reach. So such a timer costs one move per span
 * of the wheel, and it still never fires early. No separate overflow list to scan.
 *
 * <h2>Empty ticks are skipped</h2>
 * Each level keeps a bitmap of non-empty slots. {@code advance} goes from one tick with work (a level-0 slot to
 * expire, or a higher slot to cascade) to the next by scanning bitmap words, so an idle worker waking after an hour
 * costs the slots that hold timers, not 3.6 million ticks; {@code nextDeadline()} uses the same scan to tell an idle
 * worker how long it may sleep.
 *
 * <h2>Handles and storage</h2>
 * A timer is an {@code int} handle into parallel arrays allocated at construction: expiry tick ({@code long}), user
 * data ({@code long}, for example a connection index and a timer kind packed by the owner), generation
 * ({@code int}), and {@code next}/{@code prev} links ({@code int}). Every slot, and the list of due timers, is a
 * circular doubly linked list through the same link arrays with a sentinel entry after the timers, so unlinking a
 * timer is four array writes and never needs to know which slot holds it (a slot whose sentinel ends up linked to
 * itself has become empty, which also clears its bitmap bit). Free timers form a free list through {@code next}.
 * 28 bytes per timer: a million timers take 28 MB.
 *
 * <pre>
 *   handle (int, always positive):
 *   +---+----------------------------+--------------------------+
 *   | 0 | generation (31 - b bits)   | index (b bits)           |
 *   +---+----------------------------+--------------------------+
 *   b = bits needed for capacity - 1 (at least 1); generation runs 1 .. 2^(31-b) - 1, never 0
 * </pre>
 *
 * A timer's generation is incremented when it expires or is stopped, so the old handle no longer matches: stop,
 * update and isActive on it are detected as stale and do nothing (counted in {@code staleHandles()}), even when the
 * index already serves a new timer. A stale handle is mistaken for a live one only if the index has been reused
 * exactly a multiple of {@code 2^(31-b) - 1} times since (at least 127 times, for the largest capacity 2^24; 2047
 * times for a million timers). Because the generation is never 0, no handle is 0: {@code NO_TIMER} is 0, and a
 * zero-initialised field means "no timer". When all timers are in use, {@code start} returns {@code NO_TIMER} and
 * counts it ({@code capacityFailures()}); it never throws on the data path.
 *
 * <h2>Precision</h2>
 * A timer with deadline {@code d} expires at tick {@code T = ceil((d - start) / tick)} (or the next tick, if
 * {@code d} was already past when it was started): in the first {@code advance(now)} with
 * {@code now >= start + T * tick}. Hence a timer never fires before its deadline, and it fires in any
 * {@code advance} whose time is at least {@code d + tick - 1 ns}: at most one tick late, plus however late the
 * caller calls {@code advance}. Timers expire in order of {@code T}; within one tick, in no particular order.
 *
 * <h2>Bounded work and re-entrancy</h2>
 * {@code advance} takes a maximum number of expirations; when it stops there, the timers due but not yet handed out
 * wait on the due list and are expired first by the next call. An expiry handler may start, stop and update any
 * timer: the timer being expired is already released (its handle is stale) before the handler runs; a slot being
 * expired is first moved whole onto the due list, so timers started into that slot during the handler wait for
 * their own tick; stopping or updating a timer still on the due list simply takes it off. A handler must not call
 * {@code advance}.
 *
 * <h2>Threads</h2>
 * None: a wheel belongs to one worker and is used only on that worker's thread.
 */
package io.sluice.core.timer;
