package io.sluice.session.stack;

import io.sluice.core.graph.NodeContext;
import io.sluice.core.timer.TimerWheel;
import io.sluice.session.mq.MessageQueue;
import io.sluice.session.msg.SessionMessage;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * How one stack worker posts to application queues without blocking or allocating. A control message is built in
 * {@link #message()} and copied into a claimed slot; when the queue is full it waits, in order, in the application
 * worker's {@link Outbox}, and every later message for that worker goes behind it (an ACCEPTED before its session's
 * RX). IO events (RX, TX_SPACE) that find no room become pending bits on their session; the FIFO's has-event flag
 * stays set meanwhile, so nothing is duplicated and nothing is lost. Both are retried at the start of every pass and
 * within {@link #RETRY_NANOS} by a timer, so a sleeping worker comes back for them. Consumers are notified once per
 * queue per pass ({@link #notifyConsumers()}), not once per message. Only the worker's thread uses it.
 */
final class EventPoster {

    /** How soon a worker with a backlog looks again even if nothing else wakes it. */
    static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Timer data of the backlog retry (session timers carry a table index, never negative). */
    private static final long RETRY_TIMER_DATA = -1;

    private final int index;
    /** Where a control message is built before it goes to a queue slot or an outbox (longs: 8-byte aligned). */
    private final MemorySegment scratch = MemorySegment.ofArray(new long[SessionMessage.SIZE / Long.BYTES]);
    private final AppWorkerPort[] touched = new AppWorkerPort[64];
    private int touchedCount;
    private TimerWheel timers;
    private int retryTimer = TimerWheel.NO_TIMER;
    private NodeContext ctx;
    private long now;
    private Outbox outboxes;
    private Session pendingHead;

    EventPoster(int stackWorker) {
        this.index = stackWorker;
    }

    void useTimers(TimerWheel wheel) {
        this.timers = wheel;
    }

    /** The start of a pass: notifies for what was posted since the last one, then retries the backlog. */
    void startPass(NodeContext context) {
        ctx = context;
        now = context.now();
        notifyConsumers();
        retryBacklog();
    }

    /** The time of the current pass. */
    long now() {
        return now;
    }

    /** The area a control message is built in before {@link #send}. */
    MemorySegment message() {
        return scratch;
    }

    /** Takes the retry timer's expiry; false for a timer that is not the poster's. */
    boolean onExpired(int handle, long data) {
        if (data != RETRY_TIMER_DATA) {
            return false;
        }
        retryTimer = TimerWheel.NO_TIMER; // the pass that follows retries the backlog
        return true;
    }

    /** Drops what waits for {@code app} (it is detaching) and forgets its queues. */
    void forget(StackApplication app) {
        Outbox previous = null;
        for (Outbox o = outboxes; o != null; o = o.nextListed) {
            if (o.port.app == app) {
                o.clear();
                o.listed = false;
                if (previous == null) {
                    outboxes = o.nextListed;
                } else {
                    previous.nextListed = o.nextListed;
                }
            } else {
                previous = o;
            }
        }
        for (int i = 0; i < touchedCount; i++) {
            if (touched[i].app == app) {
                touched[i].unnotified[index] = false;
                touched[i] = touched[--touchedCount];
                touched[touchedCount] = null;
                i--;
            }
        }
    }

    /** Posts the control message in {@link #message()} to {@code port}, or keeps it in the port's outbox. */
    void send(AppWorkerPort port) {
        if (port == null) {
            count(SessionQueueNode.NO_APP_WORKER);
            return;
        }
        Outbox outbox = port.outbox(index);
        if (outbox.isEmpty()) {
            MessageQueue queue = port.queue;
            long position = queue.tryClaim();
            if (position != MessageQueue.FULL) {
                MemorySegment.copy(scratch, 0, queue.memory(), queue.payloadOffset(position), SessionMessage.SIZE);
                queue.publish(position);
                touch(port);
                return;
            }
            count(SessionQueueNode.APP_QUEUE_FULL);
        }
        if (!outbox.add(scratch, 0)) {
            count(SessionQueueNode.BACKLOG_FULL);
            return;
        }
        if (!outbox.listed) {
            outbox.listed = true;
            outbox.nextListed = outboxes;
            outboxes = outbox;
        }
        armRetry();
    }

    /** Posts an IO event, or marks it pending on the session when the queue is full or has a backlog. */
    void postIo(Session s, int type, int pendingBit) {
        AppWorkerPort port = s.app.port(s.appWorker);
        if (port == null) {
            count(SessionQueueNode.NO_APP_WORKER);
            return;
        }
        if (port.outbox(index).isEmpty() && tryPostIo(port, s, type)) {
            return;
        }
        count(SessionQueueNode.APP_QUEUE_FULL);
        s.pendingIo |= pendingBit;
        if (!s.inPendingList) {
            s.inPendingList = true;
            s.nextPending = pendingHead;
            pendingHead = s;
        }
        armRetry();
    }

    private boolean tryPostIo(AppWorkerPort port, Session s, int type) {
        MessageQueue queue = port.queue;
        long position = queue.tryClaim();
        if (position == MessageQueue.FULL) {
            return false;
        }
        SessionMessage.io(queue.memory(), queue.payloadOffset(position), type, s.handle, s.appWorker);
        queue.publish(position);
        touch(port);
        return true;
    }

    /** Outboxes first (in order), then pending IO events of sessions whose port has no backlog left. */
    private void retryBacklog() {
        Outbox previous = null;
        Outbox o = outboxes;
        while (o != null) {
            Outbox next = o.nextListed;
            if (flush(o)) {
                o.listed = false;
                o.nextListed = null;
                if (previous == null) {
                    outboxes = next;
                } else {
                    previous.nextListed = next;
                }
            } else {
                previous = o;
            }
            o = next;
        }
        Session before = null;
        Session s = pendingHead;
        while (s != null) {
            Session next = s.nextPending;
            if (retryPending(s)) {
                s.inPendingList = false;
                s.nextPending = null;
                if (before == null) {
                    pendingHead = next;
                } else {
                    before.nextPending = next;
                }
            } else {
                before = s;
            }
            s = next;
        }
        if (outboxes != null || pendingHead != null) {
            armRetry();
        }
    }

    /** Posts what the outbox holds while its queue has room; true when it is empty. */
    private boolean flush(Outbox outbox) {
        MessageQueue queue = outbox.port.queue;
        while (!outbox.isEmpty()) {
            long position = queue.tryClaim();
            if (position == MessageQueue.FULL) {
                return false;
            }
            MemorySegment.copy(outbox.memory(), outbox.oldestOffset(), queue.memory(), queue.payloadOffset(position),
                    SessionMessage.SIZE);
            queue.publish(position);
            outbox.removeOldest();
            touch(outbox.port);
        }
        return true;
    }

    /** Retries a session's pending IO events; true when none is left (or nobody is left to hear them). */
    private boolean retryPending(Session s) {
        if (!s.inUse || s.pendingIo == 0 || !s.appListening()) {
            s.pendingIo = 0;
            return true;
        }
        AppWorkerPort port = s.app.port(s.appWorker);
        if (port == null) {
            s.pendingIo = 0;
            return true;
        }
        if (!port.outbox(index).isEmpty()) {
            return false;
        }
        if ((s.pendingIo & Session.PENDING_RX) != 0) {
            if (!tryPostIo(port, s, SessionMessage.RX)) {
                return false;
            }
            s.pendingIo &= ~Session.PENDING_RX;
        }
        if ((s.pendingIo & Session.PENDING_TX_SPACE) != 0) {
            if (!tryPostIo(port, s, SessionMessage.TX_SPACE)) {
                return false;
            }
            s.pendingIo &= ~Session.PENDING_TX_SPACE;
        }
        return true;
    }

    /** A backlog must not wait for traffic: the worker looks again within a millisecond even if it would sleep. */
    private void armRetry() {
        if (retryTimer == TimerWheel.NO_TIMER && timers != null) {
            retryTimer = timers.start(now + RETRY_NANOS, RETRY_TIMER_DATA);
        }
    }

    private void touch(AppWorkerPort port) {
        if (port.unnotified[index]) {
            return;
        }
        if (touchedCount == touched.length) {
            port.queue.notifyConsumer();
            return;
        }
        port.unnotified[index] = true;
        touched[touchedCount++] = port;
    }

    /** Wakes the consumers this worker published to since the last time: one check per queue per pass. */
    void notifyConsumers() {
        for (int i = 0; i < touchedCount; i++) {
            AppWorkerPort port = touched[i];
            touched[i] = null;
            port.unnotified[index] = false;
            port.queue.notifyConsumer();
        }
        touchedCount = 0;
    }

    void count(int reason) {
        if (ctx != null) {
            ctx.count(reason);
        }
    }
}
