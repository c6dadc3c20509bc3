package io.sluice.core.l4;

import io.sluice.core.wire.Ip4Address;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.atomic.MpmcAtomicArrayQueue;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;

/**
 * A UDP socket of the stack, used by tests and the UDP echo example (applications proper come through the session
 * layer): bound with {@link UdpSockets#bind}, sends with {@link #send}, receives with {@link #receive}.
 *
 * <p><b>Receive.</b> A datagram for the socket may arrive on any worker. The worker copies payload and sender into a
 * preallocated slot taken from the socket's free queue and puts the slot on the ready queue (JCTools, several
 * producers, no allocation; the {@code atomic} variants, which need no {@code sun.misc.Unsafe}, deprecated for
 * removal), so the worker's packet buffer is freed at once; no free slot is a counted drop
 * ({@code socket-queue-full}). Receiving threads are serialised by a lock; the blocking form parks and the worker
 * that queues a datagram unparks it.
 *
 * <p><b>Send.</b> The application thread copies the payload into a free tx slot and puts it on the socket's tx
 * queue, then asks the owning worker to wake; that worker's udp4-socket-output node builds the packet. A full tx
 * queue refuses the datagram ({@code send} returns false), as a non-blocking kernel socket would with EAGAIN.
 *
 * <p>Closing unbinds the socket, drops queued datagrams (they are heap copies: no packet buffer is held) and wakes a
 * blocked receiver.
 */
public final class UdpSocket extends UdpReceiver implements AutoCloseable {

    /** Result of {@link #deliver}: queued. */
    static final int DELIVERED = 0;
    /** Result of {@link #deliver}: no free receive slot. */
    static final int QUEUE_FULL = 1;
    /** Result of {@link #deliver}: the socket is closed. */
    static final int CLOSED = 2;
    /** Result of {@link #deliver}: the payload is larger than a slot. */
    static final int TOO_BIG = 3;

    private final UdpSockets sockets;
    private final int worker;
    private final int maxPayload;

    private final MpmcAtomicArrayQueue<DatagramSlot> rxFree;
    private final MpscAtomicArrayQueue<DatagramSlot> rxReady;
    private final MpmcAtomicArrayQueue<DatagramSlot> txFree;
    private final MpscAtomicArrayQueue<DatagramSlot> txReady;

    private final AtomicLong rxDatagrams = new AtomicLong();
    private final AtomicLong rxDropped = new AtomicLong();
    private final AtomicLong txSent = new AtomicLong();
    private final AtomicLong txDropped = new AtomicLong();
    private final AtomicLong txRefused = new AtomicLong();
    private final AtomicLong icmpErrors = new AtomicLong();
    /** Last ICMP error: type, code, remote port, remote address packed (see {@link #lastError()}); 0 for none. */
    private volatile long lastError;

    private final Object receiveLock = new Object();
    private volatile Thread waiter;
    private volatile boolean closed;

    UdpSocket(UdpSockets sockets, int localAddress, int localPort, int worker, int maxPayload, int rxSlots,
            int txSlots) {
        super(localAddress, localPort);
        this.sockets = sockets;
        this.worker = worker;
        this.maxPayload = maxPayload;
        this.rxFree = new MpmcAtomicArrayQueue<>(rxSlots);
        this.rxReady = new MpscAtomicArrayQueue<>(rxSlots);
        this.txFree = new MpmcAtomicArrayQueue<>(txSlots);
        this.txReady = new MpscAtomicArrayQueue<>(txSlots);
        for (int i = 0; i < rxSlots; i++) {
            rxFree.offer(new DatagramSlot(maxPayload));
        }
        for (int i = 0; i < txSlots; i++) {
            txFree.offer(new DatagramSlot(maxPayload));
        }
    }

    /** The worker whose udp4-socket-output node sends this socket's datagrams. */
    public int worker() {
        return worker;
    }

    /** Largest payload {@link #send} accepts and a received datagram may carry. */
    public int maxPayload() {
        return maxPayload;
    }

    // ------------------------------------------------------------------------------------------ application side

    /**
     * Queues a datagram of {@code payload[offset, offset + length)} to {@code address}:{@code port}.
     *
     * @return false if the tx queue is full (nothing queued)
     * @throws IllegalArgumentException for a payload above {@link #maxPayload()}, address 0 or a port outside 1..65535
     * @throws IllegalStateException if the socket is closed
     */
    public boolean send(int address, int port, byte[] payload, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, payload.length);
        DatagramSlot slot = claimTxSlot(address, port, length);
        if (slot == null) {
            return false;
        }
        System.arraycopy(payload, offset, slot.payload, 0, length);
        return queueTx(slot, address, port, length);
    }

    /** As {@link #send(int, int, byte[], int, int)} with the buffer's remaining bytes, which it consumes if queued. */
    public boolean send(int address, int port, ByteBuffer payload) {
        int length = payload.remaining();
        DatagramSlot slot = claimTxSlot(address, port, length);
        if (slot == null) {
            return false;
        }
        payload.get(payload.position(), slot.payload, 0, length);
        payload.position(payload.position() + length);
        return queueTx(slot, address, port, length);
    }

    private DatagramSlot claimTxSlot(int address, int port, int length) {
        if (length > maxPayload) {
            throw new IllegalArgumentException("UDP payload of " + length + " bytes on " + this
                    + " exceeds the largest, " + maxPayload + " bytes (one packet buffer, at most 65507)");
        }
        if (address == Ip4Address.ANY || port < 1 || port > 0xffff) {
            throw new IllegalArgumentException("UDP destination " + UdpPortTable.endpoint(address, port) + " from "
                    + this + " needs an address and a port in 1..65535");
        }
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
        DatagramSlot slot = txFree.poll();
        if (slot == null) {
            txRefused.incrementAndGet();
        }
        return slot;
    }

    private boolean queueTx(DatagramSlot slot, int address, int port, int length) {
        slot.length = length;
        slot.remoteAddress = address;
        slot.remotePort = port;
        txReady.offer(slot); // cannot fail: the queue holds every slot the socket has
        sockets.wake(worker);
        return true;
    }

    /**
     * Takes the oldest received datagram into {@code into} without waiting.
     *
     * @return false if none is queued
     */
    public boolean receive(UdpDatagram into) {
        synchronized (receiveLock) {
            return take(into);
        }
    }

    /**
     * Takes the oldest received datagram into {@code into}, waiting up to {@code timeout} for one.
     *
     * @return false if none arrived in time or the socket was closed while waiting
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public boolean receive(UdpDatagram into, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (receiveLock) {
            while (true) {
                if (take(into)) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (closed || left <= 0) {
                    return false;
                }
                waiter = Thread.currentThread();
                try {
                    // Announced before this re-check; a worker queues, fences, then reads waiter (close sets closed,
                    // then reads waiter): one of us sees the other, so neither a datagram nor a close slips by.
                    if (take(into)) {
                        return true;
                    }
                    if (closed) {
                        return false;
                    }
                    LockSupport.parkNanos(this, left);
                } finally {
                    waiter = null;
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted while receiving on " + this);
                }
            }
        }
    }

    private boolean take(UdpDatagram into) {
        DatagramSlot slot = rxReady.poll();
        if (slot == null) {
            return false;
        }
        into.fill(slot);
        rxFree.offer(slot);
        return true;
    }

    /** ICMP errors reported for datagrams this socket sent (port unreachable and others). */
    public long icmpErrors() {
        return icmpErrors.get();
    }

    /** The last ICMP error reported for this socket, or null if none was. */
    public IcmpErrorReport lastError() {
        long e = lastError;
        return e == 0 ? null
                : new IcmpErrorReport((int) (e >>> 56), (int) (e >>> 48) & 0xff, (int) e, (int) (e >>> 32) & 0xffff);
    }

    /**
     * Unbinds, wakes a blocked receiver and frees the received datagrams nobody took. Datagrams queued for sending
     * and not yet sent are discarded (the owning worker is the only reader of the tx queue, so they are left to
     * the garbage collector with the socket; they hold no packet buffers). Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        sockets.closed(this);
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
        synchronized (receiveLock) { // the receive queue has one consumer at a time: the lock holder
            DatagramSlot slot;
            while ((slot = rxReady.poll()) != null) {
                rxFree.offer(slot);
            }
        }
    }

    /** Whether {@link #close} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** A snapshot of the socket's counters, for {@code show udp sockets}. */
    public UdpSocketInfo info() {
        return new UdpSocketInfo(localAddress(), localPort(), worker, rxReady.size(), rxDatagrams.get(),
                rxDropped.get(), txReady.size(), txSent.get(), txDropped.get() + txRefused.get(), icmpErrors.get());
    }

    @Override
    public String toString() {
        return "UDP socket " + localEndpoint() + " (worker " + worker + ")";
    }

    // --------------------------------------------------------------------------------------------- worker side

    /**
     * Copies a received payload of {@code length} bytes at {@code mem}/{@code offset} and its sender into a free
     * slot and queues it. Any worker may call this; it allocates nothing and throws nothing.
     *
     * @return {@link #DELIVERED}, {@link #QUEUE_FULL}, {@link #CLOSED} or {@link #TOO_BIG}
     */
    int deliver(MemorySegment mem, long offset, int length, int sourceAddress, int sourcePort) {
        if (closed) {
            return CLOSED;
        }
        if (length > maxPayload) {
            rxDropped.incrementAndGet();
            return TOO_BIG;
        }
        DatagramSlot slot = rxFree.poll();
        if (slot == null) {
            rxDropped.incrementAndGet();
            return QUEUE_FULL;
        }
        MemorySegment.copy(mem, ValueLayout.JAVA_BYTE, offset, slot.payload, 0, length);
        slot.length = length;
        slot.remoteAddress = sourceAddress;
        slot.remotePort = sourcePort;
        rxReady.offer(slot); // cannot fail: the queue holds every slot the socket has
        rxDatagrams.incrementAndGet();
        VarHandle.fullFence(); // pairs with the receiver's store of waiter before its re-check
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
        return DELIVERED;
    }

    /** Records an ICMP error about a datagram this socket sent to {@code remoteAddress}:{@code remotePort}. */
    void reportError(int type, int code, int remoteAddress, int remotePort) {
        lastError = (long) type << 56 | (long) code << 48 | (long) remotePort << 32 | (remoteAddress & 0xffff_ffffL);
        icmpErrors.incrementAndGet();
    }

    /** The next datagram to send, or null; only the owning worker calls this. */
    DatagramSlot pollTx() {
        return txReady.poll();
    }

    /** Returns a sent (or dropped) tx slot; {@code sent} says which, for the counters. */
    void recycleTx(DatagramSlot slot, boolean sent) {
        (sent ? txSent : txDropped).incrementAndGet();
        txFree.offer(slot);
    }

    boolean hasTx() {
        return !txReady.isEmpty();
    }
}
