package io.sluice.core.tcp.layer;

import io.sluice.core.buffer.BufferLayout;
import io.sluice.core.buffer.BufferPool;
import io.sluice.core.graph.NodeContext;
import io.sluice.core.tcp.SeqNum;
import io.sluice.core.tcp.conn.CloseCause;
import io.sluice.core.tcp.conn.TcpConnection;
import io.sluice.core.tcp.conn.TcpState;
import io.sluice.core.timer.ExpiryHandler;
import io.sluice.core.tcp.syn.SynCookies;
import io.sluice.core.timer.TimerWheel;
import io.sluice.core.wire.Ipv4;
import io.sluice.core.wire.Tcp;
import io.sluice.core.wire.TcpOptions;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.jctools.queues.MpscArrayQueue;

/**
 * One worker's TCP: its connection table, its TCP timer wheel, the queue on which application threads post
 * requests for its connections, and the code that runs a connection and reports what changed. Everything except
 * {@link #post} and {@link #reserve} runs on the worker's thread, inside tcp4-input or tcp4-output, whose
 * {@link NodeContext} the segments a connection emits go out through.
 *
 * <p>After every call into a connection, {@link #afterCall} compares the state, RCV.NXT and SND.UNA with what was
 * last reported and raises the user's events, hands a completed passive open to its listener's accept queue, and
 * re-arms the connection's one timer at {@link TcpConnection#nextDeadline()} (an update, not a stop and start,
 * when it only moved). A connection that reached CLOSED leaves the table at once and its buffers go back.
 */
public final class TcpWorker implements ExpiryHandler {

    private final TcpLayer layer;
    private final int index;
    private final ConnectionTable table;
    private final TcpFlow[] slots;
    private final int[] freeSlots;
    private int freeCount;
    private final AtomicInteger reserved = new AtomicInteger();
    private final MpscArrayQueue<TcpFlow> requests;
    private final TcpOptions options = new TcpOptions();
    private final long[] counters = new long[TcpCounter.ALL.length];
    private TimerWheel wheel;
    private TcpFlow dueHead;
    private TcpFlow dueTail;
    private NodeContext ctx;
    private int nextIp4Output;
    private int identification = ThreadLocalRandom.current().nextInt();

    TcpWorker(TcpLayer layer, int index, int capacity) {
        this.layer = layer;
        this.index = index;
        this.table = new ConnectionTable(capacity);
        this.slots = new TcpFlow[capacity];
        this.freeSlots = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            freeSlots[i] = capacity - 1 - i;
        }
        this.freeCount = capacity;
        this.requests = new MpscArrayQueue<>(Math.max(2, capacity));
    }

    /** This worker's index. */
    public int index() {
        return index;
    }

    /** Gives the worker its TCP timer wheel (made with this worker as its handler) when its graph is built. */
    public void useWheel(TimerWheel timerWheel) {
        this.wheel = timerWheel;
    }

    /** The options holder tcp4-input parses into. */
    TcpOptions options() {
        return options;
    }

    /** Points emitted segments at {@code context}'s next node {@code ip4Output} (called by the TCP nodes). */
    void bind(NodeContext context, int ip4Output) {
        this.ctx = context;
        this.nextIp4Output = ip4Output;
    }

    void count(TcpCounter counter) {
        counters[counter.ordinal()]++;
    }

    // ---- capacity (any thread) ----

    /** Takes a place for a new connection, or refuses when the worker holds its maximum. */
    boolean reserve() {
        while (true) {
            int n = reserved.get();
            if (n >= slots.length) {
                return false;
            }
            if (reserved.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Gives back a place taken by {@link #reserve} for a connection that was not made. */
    void release() {
        reserved.decrementAndGet();
    }

    /** Posts {@code flow}'s new requests (any thread) and wakes the worker. */
    void post(TcpFlow flow) {
        // Cannot fail: a flow is queued at most once and the queue holds one entry per possible connection.
        requests.offer(flow);
        layer.wake(index);
    }

    // ---- tcp4-output: timers and application requests ----

    /** Runs due timers and posted requests, at most {@code budget} of them; returns how many ran. */
    int runPending(NodeContext context, int ip4Output, int budget) {
        bind(context, ip4Output);
        long now = context.now();
        int work = 0;
        while (dueHead != null && work < budget) {
            TcpFlow flow = dueHead;
            dueHead = flow.nextDue;
            if (dueHead == null) {
                dueTail = null;
            }
            flow.nextDue = null;
            flow.due = false;
            if (flow.inTable) {
                flow.connection.onTimer(now);
                afterCall(flow, now);
            }
            work++;
        }
        TcpFlow flow;
        while (work < budget && (flow = requests.relaxedPoll()) != null) {
            runRequests(flow, now);
            work++;
        }
        return work;
    }

    private void runRequests(TcpFlow flow, long now) {
        int r = flow.takeRequests();
        if ((r & TcpFlow.REQUEST_OPEN) != 0) {
            if (!join(flow)) {
                finish(flow, CloseCause.NONE, "the 4-tuple is in use on worker " + index);
                return;
            }
            count(TcpCounter.ACTIVE_OPENS);
            flow.connection.open(now, layer.initialSequence(now, flow));
            flow.reportedSndUna = flow.connection.sndUna();
        }
        if (!flow.inTable) {
            return; // already gone: a late flush or close has nothing to act on
        }
        TcpConnection c = flow.connection;
        if ((r & TcpFlow.REQUEST_OPTIONS) != 0) {
            flow.applyOptions();
        }
        if ((r & TcpFlow.REQUEST_ABORT) != 0) {
            c.abort(now);
        } else {
            if ((r & TcpFlow.REQUEST_FLUSH) != 0) {
                c.poll(now);
            }
            if ((r & TcpFlow.REQUEST_CLOSE) != 0) {
                c.close(now);
            }
        }
        afterCall(flow, now);
    }

    @Override
    public void onExpired(int handle, long userData) {
        int slot = (int) userData;
        TcpFlow flow = slot >= 0 && slot < slots.length ? slots[slot] : null;
        if (flow == null || flow.timer != handle) {
            return;
        }
        flow.timer = TimerWheel.NO_TIMER;
        flow.armedDeadline = TcpConnection.NO_DEADLINE;
        if (!flow.due) {
            flow.due = true;
            if (dueTail == null) {
                dueHead = flow;
            } else {
                dueTail.nextDue = flow;
            }
            dueTail = flow;
        }
    }

    // ---- tcp4-input ----

    /** The connection of a received segment, or null. */
    TcpFlow lookup(int localAddress, int localPort, int remoteAddress, int remotePort) {
        return table.lookup(localAddress, localPort, remoteAddress, remotePort);
    }

    /** Hands an arriving segment to its connection (tcp4-input found it in the table). */
    void segment(TcpFlow flow, long now, int flags, int seq, int ack, int window, MemorySegment payload,
            long payloadOffset, int payloadLength) {
        count(TcpCounter.SEGMENTS_RECEIVED);
        TcpListener listener = flow.listener();
        if (listener != null && !flow.established && (flags & Tcp.ACK) != 0 && (flags & (Tcp.RST | Tcp.SYN)) == 0
                && flow.connection.state() == TcpState.SYN_RECEIVED && listener.acceptQueueFull()) {
            count(TcpCounter.LISTEN_OVERFLOWS); // stay in SYN-RECEIVED; the peer's retransmission may find room
            return;
        }
        flow.connection.onSegment(now, flags, seq, ack, window, options, payload, payloadOffset, payloadLength);
        afterCall(flow, now);
    }

    /**
     * Whether a SYN for a connection in TIME-WAIT may end it and start a new one on the same 4-tuple (RFC 6191
     * §2, RFC 1122 §4.2.2.13): its sequence number lies beyond RCV.NXT, or its TSval is newer than TS.Recent, and
     * PAWS would not reject it (a TSval older than TS.Recent never passes) — so no old duplicate can be taken for
     * the new connection's data. Either test suffices, as in Linux: two connections a millisecond apart can carry
     * the same TSval. When it may, the old connection is finished here and the caller handles the SYN as new.
     */
    boolean reuseTimeWait(TcpFlow flow, int seq) {
        TcpConnection c = flow.connection;
        boolean stamped = c.timestamps() && options.hasTimestamps();
        if (stamped && SeqNum.lt(options.timestampValue(), c.tsRecent())) {
            return false;
        }
        boolean newer = SeqNum.gt(seq, c.rcvNxt()) || stamped && SeqNum.gt(options.timestampValue(), c.tsRecent());
        if (!newer) {
            return false;
        }
        count(TcpCounter.TIME_WAIT_REUSED);
        finish(flow, CloseCause.NONE, null);
        return true;
    }

    /** Why {@link #passiveOpen} made no connection; {@link #OPENED} when it did. */
    static final int OPENED = 0;
    static final int SYN_QUEUE_FULL = 1;
    static final int WORKER_FULL = 2;
    static final int NO_BUFFERS = 3;
    static final int COOKIE_INVALID = 4;
    static final int ACCEPT_QUEUE_FULL = 5;

    /** A SYN for {@code listener}: a new connection in SYN-RECEIVED that answers with a SYN-ACK. */
    int passiveOpen(TcpListener listener, long now, int mtu, int localAddress, int localPort, int remoteAddress,
            int remotePort, int seq, int window) {
        count(TcpCounter.SEGMENTS_RECEIVED);
        if (!listener.reserveSynSlot()) {
            count(TcpCounter.SYN_QUEUE_OVERFLOWS);
            return SYN_QUEUE_FULL;
        }
        if (!reserve()) {
            listener.releaseSynSlot();
            return WORKER_FULL;
        }
        TcpBuffers buffers = listener.factory().allocate();
        if (buffers == null) {
            listener.releaseSynSlot();
            release();
            return NO_BUFFERS;
        }
        TcpFlow flow = new TcpFlow(this, localAddress, localPort, remoteAddress, remotePort, layer.settingsFor(mtu,
                listener.ccAlgo()), buffers, listener.factory(), listener.events(), listener);
        if (!join(flow)) { // cannot happen: the caller found no connection with this 4-tuple
            listener.releaseSynSlot();
            release();
            listener.factory().release(buffers);
            return WORKER_FULL;
        }
        count(TcpCounter.PASSIVE_OPENS);
        flow.connection.listen(layer.initialSequence(now, flow));
        flow.connection.onSegment(now, Tcp.SYN, seq, 0, window, options, MemorySegment.NULL, 0, 0);
        flow.reportedSndUna = flow.connection.sndUna();
        afterCall(flow, now);
        return OPENED;
    }

    /**
     * An ACK for {@code listener} with no connection while the listener sends cookies: if SEG.ACK − 1 is a valid
     * cookie for this 4-tuple and SEG.SEQ − 1, the connection is made in SYN-RECEIVED from what the cookie (and the
     * TSecr's low bits) kept, and the ACK itself completes it (RFC 4987 §3.6).
     */
    int cookieOpen(TcpListener listener, long now, int mtu, int localAddress, int localPort, int remoteAddress,
            int remotePort, int flags, int seq, int ack, int window, MemorySegment payload, long payloadOffset,
            int payloadLength) {
        count(TcpCounter.SEGMENTS_RECEIVED);
        int peerMss = layer.cookies().decode(now, localAddress, localPort, remoteAddress, remotePort, seq - 1,
                ack - 1);
        if (peerMss == SynCookies.INVALID) {
            count(TcpCounter.COOKIES_REJECTED);
            return COOKIE_INVALID;
        }
        if (listener.acceptQueueFull()) {
            count(TcpCounter.LISTEN_OVERFLOWS); // the peer's next segment carries the same cookie
            return ACCEPT_QUEUE_FULL;
        }
        if (!reserve()) {
            return WORKER_FULL;
        }
        TcpBuffers buffers = listener.factory().allocate();
        if (buffers == null) {
            release();
            return NO_BUFFERS;
        }
        TcpFlow flow = new TcpFlow(this, localAddress, localPort, remoteAddress, remotePort, layer.settingsFor(mtu,
                listener.ccAlgo()), buffers, listener.factory(), listener.events(), listener);
        if (!join(flow)) {
            release();
            listener.factory().release(buffers);
            return WORKER_FULL;
        }
        listener.takeSynSlotForCookie(); // given back when the handshake completes, as for any passive open
        count(TcpCounter.PASSIVE_OPENS);
        count(TcpCounter.COOKIES_VALIDATED);
        boolean timestamps = options.hasTimestamps();
        int kept = timestamps ? SynCookies.decodeTimestampOptions(options.timestampEcho()) : 0;
        flow.connection.acceptCookie(now, ack - 1, seq - 1, peerMss,
                timestamps ? SynCookies.windowShift(kept) : TcpOptions.NO_WINDOW_SCALE,
                timestamps && SynCookies.sackPermitted(kept), timestamps,
                timestamps ? options.timestampValue() : 0, synAckWindow(listener));
        flow.reportedSndUna = flow.connection.sndUna();
        flow.connection.onSegment(now, flags, seq, ack, window, options, payload, payloadOffset, payloadLength);
        afterCall(flow, now);
        return OPENED;
    }

    /** The window field of a SYN-ACK for {@code listener} (never scaled in a SYN segment). */
    static int synAckWindow(TcpListener listener) {
        return Math.min(listener.factory().receiveCapacity(), 0xFFFF);
    }

    /** Adds a flow whose place was reserved to the table and gives it a slot. */
    private boolean join(TcpFlow flow) {
        if (freeCount == 0 || !table.insert(flow)) {
            return false;
        }
        int slot = freeSlots[--freeCount];
        slots[slot] = flow;
        flow.slot = slot;
        flow.inTable = true;
        return true;
    }

    // ---- after every call into a connection ----

    private void afterCall(TcpFlow flow, long now) {
        TcpConnection c = flow.connection;
        TcpState state = c.state();
        TcpEvents events = flow.events();
        if (!flow.established && state.isSynchronized() && state != TcpState.SYN_RECEIVED) {
            flow.established = true;
            flow.reportedSndUna = c.sndUna();
            flow.reportedRcvNxt = c.rcvNxt() - (state == TcpState.CLOSE_WAIT ? 1 : 0);
            count(TcpCounter.ESTABLISHED);
            flow.publish(state);
            TcpListener listener = flow.listener();
            if (listener == null) {
                events.onEstablished(flow);
            } else {
                listener.releaseSynSlot();
                // A user that takes the connection here (TcpEvents.onAccepted) bypasses the accept queue.
                boolean taken = !listener.isClosed() && listener.events().onAccepted(flow);
                if (taken) {
                    state = c.state();
                } else if (listener.enqueueAccepted(flow)) {
                    listener.events().onAcceptable(listener);
                } else {
                    c.abort(now); // the listener closed while the handshake completed
                    state = c.state();
                }
            }
        }
        if (flow.established && state != TcpState.CLOSED) {
            int rcvNxt = c.rcvNxt();
            if (rcvNxt != flow.reportedRcvNxt) {
                flow.reportedRcvNxt = rcvNxt;
                events.onReceived(flow);
            }
            int sndUna = c.sndUna();
            if (sndUna != flow.reportedSndUna) {
                flow.reportedSndUna = sndUna;
                events.onSent(flow);
            }
            if (!flow.peerClosed && peerHasClosed(state)) {
                flow.peerClosed = true;
                events.onPeerClosed(flow);
            }
        }
        flow.publish(state);
        if (state == TcpState.CLOSED) {
            finish(flow, c.closeCause(), null);
            return;
        }
        if (state == TcpState.TIME_WAIT && !flow.handedBack) {
            handBack(flow, CloseCause.NONE, null); // closed for its user; only a remnant waits out 2 MSL in the table
        }
        rearm(flow);
    }

    private static boolean peerHasClosed(TcpState state) {
        return state == TcpState.CLOSE_WAIT || state == TcpState.LAST_ACK || state == TcpState.CLOSING
                || state == TcpState.TIME_WAIT;
    }

    private void rearm(TcpFlow flow) {
        long deadline = flow.connection.nextDeadline();
        if (deadline == flow.armedDeadline) {
            return;
        }
        flow.armedDeadline = deadline;
        if (deadline == TcpConnection.NO_DEADLINE) {
            wheel.stop(flow.timer);
            flow.timer = TimerWheel.NO_TIMER;
        } else if (flow.timer == TimerWheel.NO_TIMER || !wheel.update(flow.timer, deadline)) {
            flow.timer = wheel.start(deadline, flow.slot);
        }
    }

    /**
     * Tells the user the connection is closed and returns its buffers, once: at CLOSED, or earlier at TIME-WAIT,
     * from which no data can move (the connection keeps a {@code NoBuffer} for its last ACKs).
     *
     * @param failure the local reason a connection could not be made, or null
     */
    private void handBack(TcpFlow flow, CloseCause cause, String failure) {
        flow.handedBack = true;
        flow.connection.releaseBuffers();
        flow.publishClosed(cause, failure);
        try {
            flow.events().onClosed(flow);
        } finally {
            flow.factory().release(flow.buffers());
        }
    }

    /** The connection is gone: out of the table, counters kept, user told, buffers returned. */
    private void finish(TcpFlow flow, CloseCause cause, String failure) {
        if (flow.inTable) {
            table.remove(flow);
            flow.inTable = false;
            slots[flow.slot] = null;
            freeSlots[freeCount++] = flow.slot;
            if (flow.timer != TimerWheel.NO_TIMER) {
                wheel.stop(flow.timer);
                flow.timer = TimerWheel.NO_TIMER;
            }
            addConnectionCounters(counters, flow.connection);
        }
        release();
        if (!flow.established) {
            count(TcpCounter.FAILED_OPENS);
            if (flow.listener() != null) {
                flow.listener().releaseSynSlot();
            }
        }
        switch (cause) {
            case RESET, REFUSED -> count(TcpCounter.RESETS_RECEIVED);
            case TIMED_OUT -> count(TcpCounter.TIMED_OUT);
            case ABORTED -> count(TcpCounter.ABORTED);
            default -> { }
        }
        if (flow.listener() == null) {
            layer.releasePort(flow.localPort());
        }
        if (!flow.handedBack) {
            handBack(flow, cause, failure);
        }
    }

    /** Adds {@code connection}'s own counters ({@link TcpCounter#isPerConnection}) to {@code into}. */
    private static void addConnectionCounters(long[] into, TcpConnection connection) {
        for (TcpCounter counter : TcpCounter.ALL) {
            if (counter.isPerConnection()) {
                into[counter.ordinal()] += counter.of(connection);
            }
        }
    }

    // ---- output ----

    /** Builds one segment of {@code flow} into a fresh buffer and sends it to ip4-output. */
    void emit(TcpFlow flow, int flags, int seq, int ack, int window, MemorySegment opts, int optionsLength,
            int payloadOffset, int payloadLength) {
        NodeContext context = ctx;
        int b = context.cache().allocate();
        if (b == BufferPool.NO_BUFFER) {
            count(TcpCounter.NO_BUFFER);
            return; // as if lost on the wire: the connection's timers send it again
        }
        BufferPool pool = context.pool();
        MemorySegment mem = pool.memory();
        long ip = pool.dataOffset(b);
        long tcp = ip + Ipv4.MIN_HEADER_LENGTH;
        long data = tcp + Tcp.MIN_HEADER_LENGTH + optionsLength;
        if (optionsLength > 0) {
            MemorySegment.copy(opts, 0, mem, tcp + Tcp.MIN_HEADER_LENGTH, optionsLength);
        }
        if (payloadLength > 0) {
            flow.buffers().send().peek(payloadOffset, mem, data, payloadLength);
        }
        int segmentLength = Tcp.MIN_HEADER_LENGTH + optionsLength + payloadLength;
        // The checksum is left partial: interface-output completes it unless the device offloads it.
        Tcp.emitPartial(mem, tcp, flow.localPort(), flow.remotePort(), seq, ack, flags, window, optionsLength,
                payloadLength, flow.localAddress(), flow.remoteAddress());
        Ipv4.emit(mem, ip, Ipv4.MIN_HEADER_LENGTH + segmentLength, identification++ & 0xffff, true, Ipv4.DEFAULT_TTL,
                Ipv4.PROTOCOL_TCP, flow.localAddress(), flow.remoteAddress());
        pool.setCurrentLength(b, Ipv4.MIN_HEADER_LENGTH + segmentLength);
        pool.setFlags(b, pool.flags(b) | BufferLayout.FLAG_L4_CHECKSUM_PARTIAL);
        count(TcpCounter.SEGMENTS_SENT);
        context.enqueue(nextIp4Output, b);
    }

    // ---- control path (the worker's own thread, through Engine.call) ----

    /** This worker's counters with the live connections' per-connection counters added. */
    public long[] counters() {
        long[] out = counters.clone();
        table.forEach(flow -> addConnectionCounters(out, flow.connection));
        return out;
    }

    /** Every live connection's state for {@code show tcp} (control path: allocates). */
    public List<TcpConnectionInfo> connectionInfos() {
        List<TcpConnectionInfo> out = new ArrayList<>();
        table.forEach(flow -> out.add(TcpConnectionInfo.of(index, flow)));
        return out;
    }

    /** Connections held now. */
    public int connectionCount() {
        return table.size();
    }
}
