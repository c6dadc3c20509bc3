package io.sluice.comms;

import io.sluice.core.sys.Epoll;
import io.sluice.core.sys.EventFd;
import io.sluice.core.sys.Fds;
import io.sluice.core.sys.SyscallException;
import io.sluice.session.app.AppListener;
import io.sluice.session.app.AppSession;
import io.sluice.session.app.AppWorker;
import io.sluice.session.app.SessionEvents;
import io.sluice.session.msg.SessionStatus;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A readiness set in the manner of Linux's epoll, for one thread: its {@link SluiceConnection}s,
 * {@link SluiceListener}s and {@link SluicePendingConnect}s, each {@link #add added} with the bits it is interested
 * in and an attachment. {@link #waitFor(int)} returns how many are ready and fills a list read with
 * {@link #readyTarget(int)}, {@link #readyEvents(int)} and {@link #readyAttachment(int)}, reused by every wait.
 *
 * <p>What the bits mean (Linux's TCP semantics): {@link #IN} when bytes can be read, the peer closed (the read gives
 * end of stream) or, for a listener, a connection waits for accept; {@link #OUT} when the tx FIFO has room (or the
 * write side is shut, so a write fails at once), and for a connect under way when it completed; {@link #RDHUP} when
 * the peer closed its side (or this side shut its input); {@link #ERR} and {@link #HUP} when the connection was
 * reset or a connect failed (then every other bit too, since every call returns at once); {@link #HUP} also once
 * both sides are shut. {@code ERR} and {@code HUP} are reported whether asked for or not.
 *
 * <p>Level-triggered by default: an entry is reported on every wait while its condition holds. With {@link #EDGE}
 * it is reported once per new event: new bytes, new room, a connection to accept, the peer's close, a reset, a
 * connect's answer. An edge-triggered program reads until a read gives 0 and writes until a write takes less than
 * it offered, as with epoll's EAGAIN; {@link #modify} re-checks the entry and reports it if it is ready.
 *
 * <p>How it works: the poller hears its worker's events ({@link SessionEvents}, whichever call drains the queue) and
 * puts the entry an event concerns on a ready list; {@link #add} and {@link #modify} put it there too if it is ready
 * already. A wait drains the queue, then looks at the ready list only: each entry's level is checked, those not
 * ready any more leave the list, edge-triggered ones leave it once reported, level-triggered ones go back to its end
 * to be checked again next time. A wait therefore costs what is ready, not what is registered, and allocates
 * nothing. Connections, listeners and connects that are closed, cancelled or finished leave the set by themselves.
 *
 * <p>Sleeping: a wait with nothing ready spins briefly, then sleeps on the worker's eventfd ({@link #eventFd()}),
 * which the stack and the peers of cut-through connections write when they post to a sleeping worker. An external
 * event loop (a selector over other descriptors too) waits on that descriptor itself:
 *
 * <pre>{@code
 * while (running) {
 *     if (poller.prepareToSleep()) {   // announced: the next event makes the eventfd readable
 *         externalLoop.waitUntilReadable(poller.eventFd(), otherDescriptors...);
 *     }
 *     int n = poller.waitFor(0);           // withdraws the announcement, resets the eventfd, reports
 *     for (int i = 0; i < n; i++) { ... poller.readyTarget(i), poller.readyEvents(i) ... }
 * }
 * }</pre>
 *
 * <p>Made by {@link Sluice#poller()}; it belongs to the thread that made it and watches only that thread's
 * connections, listeners and connects. A thread has one open poller at a time.
 */
public final class SluicePoller implements AutoCloseable {

    /** Readable: bytes, end of stream, or a connection to accept. */
    public static final int IN = Epoll.EPOLLIN;
    /** Writable: room in the tx FIFO, or a connect that completed. */
    public static final int OUT = Epoll.EPOLLOUT;
    /** The peer closed its side (its FIN came). */
    public static final int RDHUP = Epoll.EPOLLRDHUP;
    /** The connection was reset or the connect failed; reported whether asked for or not. */
    public static final int ERR = Epoll.EPOLLERR;
    /** Hung up: reset, failed, or both sides shut; reported whether asked for or not. */
    public static final int HUP = Epoll.EPOLLHUP;
    /** Edge-triggered: report once per new event instead of on every wait while the condition holds. */
    public static final int EDGE = Epoll.EPOLLET;
    /** Ready entries one wait reports when {@link Sluice#poller()} is not told otherwise. */
    public static final int DEFAULT_CAPACITY = 256;

    /** Bits reported whether asked for or not. */
    private static final int ALWAYS = ERR | HUP;
    private static final int KNOWN = IN | OUT | RDHUP | ERR | HUP | EDGE;
    /** Messages one drain of the worker's queue handles at most. */
    private static final int POLL_LIMIT = 256;
    /** Longest single sleep of a wait: it then checks that the stack is still there. */
    private static final int SLEEP_SLICE_MILLIS = 250;

    private final Sluice sluice;
    private final AppWorker worker;
    private final Thread owner;
    private final SessionEvents feed = new Feed();
    /** Entries by what the worker's events name: the session, the listener, or the connect's context. */
    private final Map<Object, Entry> byKey = new HashMap<>();
    private int connects;
    private Entry head;
    private Entry tail;
    private int queued;
    private final SluicePollable[] readyTargets;
    private final int[] readyEvents;
    private final Object[] readyAttachments;
    private int readyCount;
    private boolean sleepAnnounced;
    private boolean eventFdChecked;
    private boolean stackLost;
    private boolean closed;

    SluicePoller(Sluice sluice, AppWorker worker, Thread owner, int capacity) {
        this.sluice = sluice;
        this.worker = worker;
        this.owner = owner;
        this.readyTargets = new SluicePollable[capacity];
        this.readyEvents = new int[capacity];
        this.readyAttachments = new Object[capacity];
        worker.observe(feed);
    }

    /** One target in the set: what it asks for, its attachment, and its place on the ready list. */
    static final class Entry {
        private final SluicePoller poller;
        private final SluicePollable target;
        private final Object key;
        private int events;
        private Object attachment;
        private Entry previous;
        private Entry next;
        private boolean queued;

        private Entry(SluicePoller poller, SluicePollable target, Object key, int events, Object attachment) {
            this.poller = poller;
            this.target = target;
            this.key = key;
            this.events = events;
            this.attachment = attachment;
        }

        SluicePoller poller() {
            return poller;
        }
    }

    /**
     * Adds a connection, listener or connect under way; if it is ready now, the next wait reports it.
     *
     * @param target what to watch: this thread's
     * @param events {@link #IN}, {@link #OUT}, {@link #RDHUP} as wanted ({@link #ERR}, {@link #HUP} always come),
     *     with {@link #EDGE} for edge-triggered
     * @param attachment anything, handed back with each report ({@link #readyAttachment(int)})
     * @throws SluiceException OTHER if it is in the set already; WRONG_THREAD if it or this poller is another
     *     thread's; CLOSED if it or this poller is closed (a connect: cancelled or finished)
     * @throws IllegalArgumentException for bits that mean nothing here
     */
    public void add(SluicePollable target, int events, Object attachment) throws SluiceException {
        checkTarget(target, events);
        if (target.pollEntry != null) {
            throw new SluiceException(SluiceException.Code.OTHER, target + " is in " + this
                    + " already: modify changes its events");
        }
        int now = target.readiness(events);
        if (now < 0) {
            throw new SluiceException(SluiceException.Code.CLOSED, target + " is closed (or, a connect, finished or"
                    + " cancelled): there is nothing to watch");
        }
        Entry entry = new Entry(this, target, keyOf(target), events, attachment);
        target.pollEntry = entry;
        byKey.put(entry.key, entry);
        if (target instanceof SluicePendingConnect) {
            connects++;
        }
        if ((now & (events | ALWAYS)) != 0) {
            enqueue(entry);
        }
    }

    /**
     * Changes what an entry asks for; if it is ready for the new bits, the next wait reports it (how an
     * edge-triggered program re-arms). The attachment stays.
     *
     * @throws SluiceException OTHER if it is not in the set; WRONG_THREAD; CLOSED if this poller is closed
     * @throws IllegalArgumentException for bits that mean nothing here
     */
    public void modify(SluicePollable target, int events) throws SluiceException {
        checkTarget(target, events);
        Entry entry = entryOf(target, "modify");
        entry.events = events;
        int now = target.readiness(events);
        if (now < 0) {
            unregister(entry);
        } else if ((now & (events | ALWAYS)) != 0) {
            enqueue(entry);
        }
    }

    /**
     * Takes an entry out of the set. (Closing a connection or listener, and finishing or cancelling a connect, does
     * it by itself.)
     *
     * @throws SluiceException OTHER if it is not in the set; WRONG_THREAD; CLOSED if this poller is closed
     */
    public void remove(SluicePollable target) throws SluiceException {
        Objects.requireNonNull(target, "target");
        requireOwner();
        unregister(entryOf(target, "remove"));
    }

    /** @return whether {@code target} is in this set */
    public boolean contains(SluicePollable target) {
        return target.pollEntry != null && target.pollEntry.poller == this;
    }

    /** @return how many entries the set holds */
    public int size() {
        return byKey.size();
    }

    /**
     * Waits until something in the set is ready, then reports up to the poller's capacity of ready entries (the rest
     * come with the next wait). Drains the worker's queue first; sleeps on its eventfd after a short spin.
     *
     * @param timeoutMillis how long to wait: 0 looks and returns at once, negative waits until something is ready
     * @return how many entries are ready, 0 if none became so in time; read them with {@link #readyTarget(int)},
     *     {@link #readyEvents(int)}, {@link #readyAttachment(int)} until the next wait
     * @throws SluiceException WRONG_THREAD; CLOSED if this poller is closed
     */
    public int waitFor(int timeoutMillis) throws SluiceException {
        requireOwner();
        if (sleepAnnounced) {
            wake();
        }
        clearReady();
        long deadline = System.nanoTime() + Math.max(timeoutMillis, 0) * 1_000_000L;
        while (true) {
            worker.poll(feed, POLL_LIMIT);
            readyCount = harvest();
            if (readyCount > 0 || timeoutMillis == 0) {
                return readyCount;
            }
            int slice = SLEEP_SLICE_MILLIS;
            if (timeoutMillis > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return 0;
                }
                slice = (int) Math.min(slice, (left + 999_999) / 1_000_000);
            }
            if (!worker.await(slice) && !stackLost && !worker.application().checkConnection()) {
                // The stack went away: every session failed with ABORTED, without events. Look at everything once.
                stackLost = true;
                for (Entry entry : byKey.values()) {
                    enqueue(entry);
                }
            }
        }
    }

    /** @return the {@code i}-th ready entry's connection, listener or connect of the last {@link #waitFor(int)} */
    public SluicePollable readyTarget(int i) {
        return readyTargets[Objects.checkIndex(i, readyCount)];
    }

    /** @return the {@code i}-th ready entry's bits: what holds now, of what it asked for, plus ERR and HUP */
    public int readyEvents(int i) {
        return readyEvents[Objects.checkIndex(i, readyCount)];
    }

    /** @return the {@code i}-th ready entry's attachment, as given to {@link #add} */
    public Object readyAttachment(int i) {
        return readyAttachments[Objects.checkIndex(i, readyCount)];
    }

    /** @return how many entries the last {@link #waitFor(int)} reported */
    public int readyCount() {
        return readyCount;
    }

    /**
     * The descriptor an external event loop waits on (readable means: call {@link #waitFor(int) waitFor(0)}), after
     * {@link #prepareToSleep()} said it may. It is the worker's: the poller does not own it, and it stays open.
     *
     * @return the worker's eventfd
     */
    public EventFd eventFd() {
        return worker.eventFd();
    }

    /**
     * For an external event loop, before it sleeps on {@link #eventFd()}: announces the sleep to the stack and the
     * cut-through peers, so their next event makes the descriptor readable. The next {@link #waitFor(int)} withdraws
     * the announcement and resets the descriptor.
     *
     * @return true if the loop may sleep; false if something may be ready already (call {@code waitFor(0)})
     * @throws SluiceException WRONG_THREAD; CLOSED if this poller is closed; OTHER if the eventfd cannot be read
     */
    public boolean prepareToSleep() throws SluiceException {
        requireOwner();
        if (sleepAnnounced) {
            return true;
        }
        if (!eventFdChecked) {
            // wait resets the counter with a read, which must not block when nothing was written.
            try {
                if (!Fds.isNonBlocking(eventFd().fd().intValue())) {
                    Fds.setNonBlocking(eventFd().fd().intValue(), true);
                }
            } catch (SyscallException e) {
                throw eventFdFailure(e);
            }
            eventFdChecked = true;
        }
        if (queued > 0 || !worker.announceSleep()) {
            return false;
        }
        sleepAnnounced = true;
        return true;
    }

    /**
     * Leaves the set empty and the thread free to make another poller; the connections, listeners and connects in
     * it are not touched.
     *
     * @throws SluiceException WRONG_THREAD
     */
    @Override
    public void close() throws SluiceException {
        if (Thread.currentThread() != owner) {
            throw SluiceException.wrongThread(toString(), worker.index(), owner);
        }
        if (closed) {
            return;
        }
        closed = true;
        if (sleepAnnounced) {
            sleepAnnounced = false;
            worker.withdrawSleep();
        }
        for (Entry entry : byKey.values()) {
            entry.target.pollEntry = null;
        }
        byKey.clear();
        connects = 0;
        head = null;
        tail = null;
        queued = 0;
        clearReady();
        worker.observe(null);
        sluice.pollerClosed(worker);
    }

    // ------------------------------------------------------------------------------------------------ ready list

    /**
     * Reports what on the ready list is ready, in list order, up to the capacity; level-triggered entries reported go
     * back to the end of the list, so a full report does not starve those behind them.
     */
    private int harvest() {
        int count = 0;
        for (int left = queued; left > 0 && count < readyTargets.length; left--) {
            Entry entry = head;
            dequeue(entry);
            int now = entry.target.readiness(entry.events);
            if (now < 0) {
                unregister(entry);
                continue;
            }
            int bits = now & (entry.events | ALWAYS) & ~EDGE;
            if (bits == 0) {
                continue;
            }
            readyTargets[count] = entry.target;
            readyEvents[count] = bits;
            readyAttachments[count] = entry.attachment;
            count++;
            if ((entry.events & EDGE) == 0) {
                enqueue(entry);
            }
        }
        return count;
    }

    /** An event for {@code entry} (null: for nothing in the set): on the ready list if it asked for any of the bits. */
    private void arm(Entry entry, int bits) {
        if (entry != null && (bits & (entry.events | ALWAYS)) != 0) {
            enqueue(entry);
        }
    }

    private void enqueue(Entry entry) {
        if (entry.queued) {
            return;
        }
        entry.queued = true;
        entry.previous = tail;
        entry.next = null;
        if (tail == null) {
            head = entry;
        } else {
            tail.next = entry;
        }
        tail = entry;
        queued++;
    }

    private void dequeue(Entry entry) {
        if (!entry.queued) {
            return;
        }
        entry.queued = false;
        if (entry.previous == null) {
            head = entry.next;
        } else {
            entry.previous.next = entry.next;
        }
        if (entry.next == null) {
            tail = entry.previous;
        } else {
            entry.next.previous = entry.previous;
        }
        entry.previous = null;
        entry.next = null;
        queued--;
    }

    /** Takes {@code entry} out of the set (and off the ready list). */
    void unregister(Entry entry) {
        if (entry.target.pollEntry != entry) {
            return;
        }
        dequeue(entry);
        byKey.remove(entry.key);
        if (entry.target instanceof SluicePendingConnect) {
            connects--;
        }
        entry.target.pollEntry = null;
    }

    private void clearReady() {
        for (int i = 0; i < readyCount; i++) {
            readyTargets[i] = null;
            readyAttachments[i] = null;
        }
        readyCount = 0;
    }

    /** After an external loop's sleep: withdraws the announcement and resets the eventfd's counter. */
    private void wake() throws SluiceException {
        sleepAnnounced = false;
        worker.withdrawSleep();
        try {
            eventFd().read();
        } catch (SyscallException e) {
            throw eventFdFailure(e);
        }
    }

    private SluiceException eventFdFailure(SyscallException e) {
        return new SluiceException(SluiceException.Code.OTHER, this + ": resetting the worker's eventfd: "
                + e.getMessage(), e);
    }

    // ------------------------------------------------------------------------------------------------ checks

    /** The key the worker's events name a target by. */
    private static Object keyOf(SluicePollable target) {
        return switch (target) {
            case SluiceConnection connection -> connection.session();
            case SluiceListener listener -> listener.appListener();
            case SluicePendingConnect connect -> connect.context();
        };
    }

    private void checkTarget(SluicePollable target, int events) throws SluiceException {
        Objects.requireNonNull(target, "target");
        requireOwner();
        if ((events & ~KNOWN) != 0) {
            throw new IllegalArgumentException("poller events 0x" + Integer.toHexString(events) + ": only IN, OUT,"
                    + " RDHUP, ERR, HUP and EDGE mean something here");
        }
        if (target.owner != owner || target.worker() != worker) {
            throw new SluiceException(SluiceException.Code.WRONG_THREAD, target + " belongs to worker "
                    + target.worker().index() + " of thread '" + target.owner.getName() + "', " + this
                    + " to worker " + worker.index() + " of thread '" + owner.getName()
                    + "': a poller watches its own thread's connections");
        }
    }

    private Entry entryOf(SluicePollable target, String what) throws SluiceException {
        Entry entry = target.pollEntry;
        if (entry == null || entry.poller != this) {
            throw new SluiceException(SluiceException.Code.OTHER, "cannot " + what + " " + target + ": it is not in "
                    + this + " (add it first)");
        }
        return entry;
    }

    private void requireOwner() throws SluiceException {
        if (Thread.currentThread() != owner) {
            throw SluiceException.wrongThread(toString(), worker.index(), owner);
        }
        if (closed) {
            throw new SluiceException(SluiceException.Code.CLOSED, this + " was closed");
        }
    }

    @Override
    public String toString() {
        return "SluicePoller[worker " + worker.index() + " of thread '" + owner.getName() + "', " + byKey.size()
                + " entries]";
    }

    /** The worker's events, whichever call drained them: each puts the entry it concerns on the ready list. */
    private final class Feed implements SessionEvents {

        @Override
        public void onConnected(int context, AppSession session, SessionStatus status) {
            if (connects > 0) {
                arm(byKey.get(context), OUT | ERR | HUP);
            }
        }

        @Override
        public void onAccepted(AppListener listener, AppSession session) {
            arm(byKey.get(listener), IN);
        }

        @Override
        public void onReadable(AppSession session) {
            arm(byKey.get(session), IN);
        }

        @Override
        public void onWritable(AppSession session) {
            arm(byKey.get(session), OUT);
        }

        @Override
        public void onPeerClosed(AppSession session) {
            arm(byKey.get(session), IN | RDHUP);
        }

        @Override
        public void onReset(AppSession session, SessionStatus status) {
            arm(byKey.get(session), KNOWN);
        }

        @Override
        public void onCleanup(AppSession session) {
            Entry entry = byKey.get(session);
            if (entry != null) {
                unregister(entry);
            }
        }

        @Override
        public void onError(int context, long handle, int requestType, SessionStatus status) {
            if (context != 0 && connects > 0) {
                arm(byKey.get(context), OUT | ERR | HUP);
            }
        }
    }
}
