package io.sluice.core.tcp.layer;

import io.sluice.core.tcp.cc.CongestionControls;
import io.sluice.core.tcp.syn.SynFloodGuard;
import io.sluice.core.wire.Ip4Address;
import java.util.concurrent.atomic.AtomicInteger;
import org.jctools.queues.MpscArrayQueue;

/**
 * A listening port: the SYN queue (connections in SYN-RECEIVED, counted across workers and bounded by
 * {@link #synQueueLimit()}) and the accept queue (connections whose handshake completed and that the application has
 * not taken with {@link #accept()} yet, bounded by the backlog). When the accept queue is full, the ACK that would
 * complete a handshake is dropped and the connection stays in SYN-RECEIVED, so the peer's retransmission finds room
 * later (the behaviour applications know from Linux, rather than a reset).
 */
public final class TcpListener {

    private final TcpLayer layer;
    private final int localAddress;
    private final int port;
    private final int backlog;
    private final int synQueueLimit;
    private final TcpBufferFactory factory;
    private final TcpEvents events;
    private final MpscArrayQueue<TcpFlow> acceptQueue;
    private final AtomicInteger synQueue = new AtomicInteger();
    private final AtomicInteger acceptable = new AtomicInteger();
    private final SynFloodGuard floodGuard = new SynFloodGuard();
    private volatile boolean closed;
    private volatile String ccAlgo;

    TcpListener(TcpLayer layer, int localAddress, int port, int backlog, int synQueueLimit, TcpBufferFactory factory,
            TcpEvents events) {
        this.layer = layer;
        this.localAddress = localAddress;
        this.port = port;
        this.backlog = backlog;
        this.synQueueLimit = synQueueLimit;
        this.factory = factory;
        this.events = events;
        // One slot more than the backlog: the worker checks the count before it lets a handshake complete.
        this.acceptQueue = new MpscArrayQueue<>(Math.max(2, backlog + 1));
    }

    /** The next connection whose handshake completed, or null when none waits. Any one thread at a time. */
    public TcpFlow accept() {
        TcpFlow flow = acceptQueue.relaxedPoll();
        if (flow != null) {
            acceptable.decrementAndGet();
        }
        return flow;
    }

    /**
     * The congestion control of connections accepted from now on ({@code cubic} or {@code newreno}); null for the
     * stack's ({@code tcp { cc-algo }}).
     *
     * @throws IllegalArgumentException naming the known algorithms when {@code name} is not one
     */
    public void setCcAlgo(String name) {
        if (name != null && !CongestionControls.NAMES.contains(name)) {
            throw new IllegalArgumentException("TCP cc-algo '" + name + "' is not one of "
                    + CongestionControls.NAMES);
        }
        ccAlgo = name;
    }

    /** The congestion control set for this listener's connections, or null for the stack's. */
    public String ccAlgo() {
        return ccAlgo;
    }

    /** Stops listening: new SYNs are answered with resets; connections not yet accepted are reset. */
    public void close() {
        layer.unlisten(this);
    }

    public int localAddress() {
        return localAddress;
    }

    public int port() {
        return port;
    }

    public int backlog() {
        return backlog;
    }

    public int synQueueLimit() {
        return synQueueLimit;
    }

    /** Connections in SYN-RECEIVED now. */
    public int synQueueLength() {
        return synQueue.get();
    }

    /** Connections waiting in {@link #accept()}. */
    public int acceptQueueLength() {
        return acceptable.get();
    }

    public boolean isClosed() {
        return closed;
    }

    // ---- workers ----

    TcpBufferFactory factory() {
        return factory;
    }

    TcpEvents events() {
        return events;
    }

    /** Takes a SYN-queue place for a new half-open connection, or refuses when the queue is full. */
    boolean reserveSynSlot() {
        while (true) {
            int n = synQueue.get();
            if (n >= synQueueLimit) {
                return false;
            }
            if (synQueue.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Counts a connection made from a SYN cookie, which took no place while its handshake ran. */
    void takeSynSlotForCookie() {
        synQueue.incrementAndGet();
    }

    /** Decides when SYNs get cookies instead of a place in the SYN queue, and when ACKs are checked as cookies. */
    SynFloodGuard floodGuard() {
        return floodGuard;
    }

    void releaseSynSlot() {
        synQueue.decrementAndGet();
    }

    boolean acceptQueueFull() {
        return acceptable.get() >= backlog;
    }

    /** Queues an established connection for {@link #accept()} (the caller checked {@link #acceptQueueFull()}). */
    boolean enqueueAccepted(TcpFlow flow) {
        if (closed || !acceptQueue.relaxedOffer(flow)) {
            return false;
        }
        acceptable.incrementAndGet();
        return true;
    }

    void markClosed() {
        closed = true;
    }

    @Override
    public String toString() {
        return "listener " + Ip4Address.format(localAddress) + ":" + port;
    }
}
