package io.sluice.core.tcp.layer;

import io.sluice.core.tcp.conn.CloseCause;
import io.sluice.core.tcp.conn.SegmentWriter;
import io.sluice.core.tcp.conn.TcpConnection;
import io.sluice.core.tcp.conn.TcpSettings;
import io.sluice.core.tcp.conn.TcpState;
import io.sluice.core.timer.TimerWheel;
import io.sluice.core.wire.Ip4Address;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One connection as the stack holds it: the 4-tuple, the {@link TcpConnection} (touched only by the owning
 * worker), its buffers and its user's {@link TcpEvents}, plus the worker's bookkeeping (timer, table, what was
 * last reported).
 *
 * <p>The application side is thread-safe and never touches the connection: after writing into the send buffer
 * or reading from the receive buffer it calls {@link #flush()}; {@link #close()} and {@link #abort()} ask for a
 * FIN or a reset. Each sets a request bit; the first bit set since the worker last looked posts the flow on the
 * worker's request queue and wakes the worker, which then runs the requests in its own loop. So a burst of writes
 * costs one queue entry and one wake-up, and a flow is never queued twice (the queue cannot overflow).
 */
public final class TcpFlow implements SegmentWriter {

    static final int REQUEST_OPEN = 1;
    static final int REQUEST_FLUSH = 2;
    static final int REQUEST_CLOSE = 4;
    static final int REQUEST_ABORT = 8;
    static final int REQUEST_OPTIONS = 16;

    private static final VarHandle REQUESTS;

    static {
        try {
            REQUESTS = MethodHandles.lookup().findVarHandle(TcpFlow.class, "requests", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final TcpWorker owner;
    private final int localAddress;
    private final int localPort;
    private final int remoteAddress;
    private final int remotePort;
    private final TcpBuffers buffers;
    private final TcpBufferFactory factory;
    private final TcpEvents events;
    private final TcpListener listener;
    final TcpConnection connection;

    @SuppressWarnings("unused") // through REQUESTS
    private volatile int requests;
    private volatile TcpState publishedState = TcpState.CLOSED;
    private volatile CloseCause closeCause = CloseCause.NONE;
    private volatile String failure;
    private volatile Object attachment;
    private volatile boolean closed;
    private volatile boolean noDelay;
    private volatile boolean keepalive;
    private volatile long keepaliveIdleNanos;
    private volatile long keepaliveIntervalNanos;
    private volatile int keepaliveProbes;

    // ---- the owning worker's bookkeeping ----
    int timer = TimerWheel.NO_TIMER;
    long armedDeadline = TcpConnection.NO_DEADLINE;
    int slot = -1;
    boolean established;
    boolean peerClosed;
    boolean inTable;
    /** The user was told the connection closed and its buffers went back (at CLOSED, or at TIME-WAIT). */
    boolean handedBack;
    int reportedRcvNxt;
    int reportedSndUna;
    TcpFlow nextDue;
    boolean due;

    TcpFlow(TcpWorker owner, int localAddress, int localPort, int remoteAddress, int remotePort, TcpSettings settings,
            TcpBuffers buffers, TcpBufferFactory factory, TcpEvents events, TcpListener listener) {
        this.owner = owner;
        this.localAddress = localAddress;
        this.localPort = localPort;
        this.remoteAddress = remoteAddress;
        this.remotePort = remotePort;
        this.buffers = buffers;
        this.factory = factory;
        this.events = events;
        this.listener = listener;
        this.connection = new TcpConnection(settings, this, buffers.send(), buffers.receive());
    }

    // ---- application side (any thread) ----

    /** Sends what the application appended to the send buffer, and a window update after it read. */
    public void flush() {
        request(REQUEST_FLUSH);
    }

    /** Closes our side after the data written so far (FIN); the connection ends when the peer closes too. */
    public void close() {
        request(REQUEST_CLOSE);
    }

    /** Ends the connection at once with a reset; unsent and unread data are dropped. */
    public void abort() {
        request(REQUEST_ABORT);
    }

    /**
     * Turns Nagle's algorithm off ({@code true}, {@code TCP_NODELAY}) or back on (the default): with it on, a
     * segment shorter than the MSS waits while data is unacknowledged.
     */
    public void setNoDelay(boolean on) {
        noDelay = on;
        request(REQUEST_OPTIONS);
    }

    /**
     * Keep-alive probes after {@code idleNanos} of silence, every {@code intervalNanos}, giving up (reset, closed
     * as timed out) after {@code probes} unanswered ones; off by default.
     *
     * @throws IllegalArgumentException when enabled with a time that is not positive or fewer than one probe
     */
    public void setKeepalive(boolean enabled, long idleNanos, long intervalNanos, int probes) {
        if (enabled && (idleNanos <= 0 || intervalNanos <= 0 || probes < 1)) {
            throw new IllegalArgumentException("TCP keepalive: idle " + idleNanos + " ns and interval "
                    + intervalNanos + " ns must be positive and probes " + probes + " at least 1");
        }
        keepaliveIdleNanos = idleNanos;
        keepaliveIntervalNanos = intervalNanos;
        keepaliveProbes = probes;
        keepalive = enabled;
        request(REQUEST_OPTIONS);
    }

    /** Applies the socket options set since the last time (worker). */
    void applyOptions() {
        connection.setNoDelay(noDelay);
        connection.setKeepalive(keepalive, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes);
    }

    void request(int bits) {
        int before = (int) REQUESTS.getAndBitwiseOr(this, bits);
        if (before == 0) {
            owner.post(this);
        }
    }

    /** Takes the pending requests (worker). */
    int takeRequests() {
        return (int) REQUESTS.getAndSet(this, 0);
    }

    /**
     * The connection itself, for what the owning worker reads about it (RTT, windows, counters): on that worker's
     * thread only, where the connection changes.
     */
    public TcpConnection connectionOnWorker() {
        return connection;
    }

    /** The state as last published by the worker (it may have moved on). */
    public TcpState state() {
        return publishedState;
    }

    /** Why the connection closed, once it has. */
    public CloseCause closeCause() {
        return closeCause;
    }

    /** A local reason the connection could not be made or kept (no buffer, table full...), or null. */
    public String failure() {
        return failure;
    }

    /** Whether the connection is gone: its buffers are released and nothing more will happen. */
    public boolean isClosed() {
        return closed;
    }

    /** The user's object for this connection (the session layer's session). */
    public Object attachment() {
        return attachment;
    }

    public void attach(Object value) {
        attachment = value;
    }

    public TcpBuffers buffers() {
        return buffers;
    }

    public int localAddress() {
        return localAddress;
    }

    public int localPort() {
        return localPort;
    }

    public int remoteAddress() {
        return remoteAddress;
    }

    public int remotePort() {
        return remotePort;
    }

    /** The worker that owns the connection. */
    public int worker() {
        return owner.index();
    }

    /** The listener that accepted it, or null for an active open. */
    public TcpListener listener() {
        return listener;
    }

    // ---- worker side ----

    TcpEvents events() {
        return events;
    }

    TcpBufferFactory factory() {
        return factory;
    }

    TcpWorker owner() {
        return owner;
    }

    void publish(TcpState state) {
        if (!closed) { // after the user was told it closed (at TIME-WAIT), the remnant's states are not its concern
            publishedState = state;
        }
    }

    void publishClosed(CloseCause cause, String localFailure) {
        closeCause = cause;
        failure = localFailure;
        publishedState = TcpState.CLOSED;
        closed = true;
    }

    @Override
    public void send(TcpConnection from, int flags, int seq, int ack, int window, MemorySegment options,
            int optionsLength, int payloadOffset, int payloadLength) {
        owner.emit(this, flags, seq, ack, window, options, optionsLength, payloadOffset, payloadLength);
    }

    @Override
    public String toString() {
        return Ip4Address.format(localAddress) + ":" + localPort + " <-> " + Ip4Address.format(remoteAddress) + ":"
                + remotePort + " " + publishedState;
    }
}
