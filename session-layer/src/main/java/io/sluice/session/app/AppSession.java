package io.sluice.session.app;

import io.sluice.core.wire.Ip4Address;
import io.sluice.session.cut.CutThroughEnd;
import io.sluice.session.fifo.ByteFifo;
import io.sluice.session.mq.MessageQueue;
import io.sluice.session.msg.SessionHandle;
import io.sluice.session.msg.SessionMessage;
import io.sluice.session.msg.SessionStatus;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;

/**
 * A session as its application sees it: bytes go into the tx FIFO and come out of the rx FIFO, both in shared
 * memory, and IO events tell the other side — coalesced by the FIFOs' has-event flags, so a burst of writes costs
 * one TX event and the stack reads everything it finds.
 *
 * <p>The rules each side keeps (see {@link ByteFifo}): a writer enqueues, then posts an event only if
 * {@link ByteFifo#setEvent()} says it raised the flag; the reader clears the flag when it drains that event, before
 * it reads (so the flag is set exactly while an event is queued or being posted, and reads between drains raise no
 * more events). A writer that finds
 * the tx FIFO full asks for a dequeue notification and waits for TX_SPACE; a reader that frees space the stack asked
 * to hear about (its receive window had closed) posts DEQUEUED.
 *
 * <p>A cut-through session's FIFOs are in a channel shared with the peer application: the same rules hold, but the
 * events go to the peer's worker through the channel ({@link CutThroughEnd#postRx},
 * {@link CutThroughEnd#notifyWriterIfWanted}) and never through the stack; only control (close, reset) goes to
 * the stack.
 *
 * <p>Used on its worker's thread only. Reads and writes allocate nothing.
 */
public final class AppSession {

    private final AppWorker worker;
    private final long handle;
    /** The queue of the stack worker that owns the session. */
    private final MessageQueue stackQueue;
    private final ByteFifo rx;
    private final ByteFifo tx;
    /** The cut-through channel and the session's slot in it; null for a session through TCP. */
    private final CutThroughEnd channel;
    private final int slot;
    private final int remoteAddress;
    private final int remotePort;
    private final int localAddress;
    private final int localPort;
    private boolean readable;
    private boolean peerClosed;
    private SessionStatus resetStatus;
    private boolean writeShut;
    private boolean readShut;
    private boolean closing;
    private boolean cleanedUp;
    /** What the blocking calls wait for, made once: a wait allocates nothing. */
    private final BooleanSupplier readableOrEnded;
    private final BooleanSupplier writableOrEnded;

    /** A session through TCP: its FIFOs are in one of the application's FIFO segments. */
    AppSession(AppWorker worker, long handle, MessageQueue stackQueue, ByteFifo rx, ByteFifo tx, int remoteAddress,
            int remotePort, int localAddress, int localPort) {
        this(worker, handle, stackQueue, rx, tx, null, -1, remoteAddress, remotePort, localAddress, localPort);
    }

    /** A cut-through session: its FIFOs are pair {@code slot} of {@code channel}. */
    AppSession(AppWorker worker, long handle, MessageQueue stackQueue, CutThroughEnd channel, int slot,
            int remoteAddress, int remotePort, int localAddress, int localPort) {
        this(worker, handle, stackQueue, channel.fifoFromPeer(slot), channel.fifoToPeer(slot), channel, slot,
                remoteAddress, remotePort, localAddress, localPort);
    }

    private AppSession(AppWorker worker, long handle, MessageQueue stackQueue, ByteFifo rx, ByteFifo tx,
            CutThroughEnd channel, int slot, int remoteAddress, int remotePort, int localAddress, int localPort) {
        this.worker = worker;
        this.handle = handle;
        this.stackQueue = stackQueue;
        this.rx = rx;
        this.tx = tx;
        this.channel = channel;
        this.slot = slot;
        this.remoteAddress = remoteAddress;
        this.remotePort = remotePort;
        this.localAddress = localAddress;
        this.localPort = localPort;
        this.readableOrEnded = () -> rx.readableBytes() > 0 || peerClosed || resetStatus != null;
        this.writableOrEnded = () -> tx.freeSpace() > 0 || resetStatus != null;
    }

    // ------------------------------------------------------------------------------------------------ reading

    /**
     * Reads what the rx FIFO holds, up to {@code length} bytes, without waiting.
     *
     * @return bytes read; 0 if none are there yet; -1 at end of stream (the peer closed and everything was read)
     * @throws SessionException if the connection was reset (with why) or the session is closed
     */
    public int read(byte[] destination, int offset, int length) throws SessionException {
        int before = beforeRead();
        if (before < 0) {
            return -1; // the read side is shut
        }
        int n = rx.dequeue(destination, offset, length);
        return afterRead(before, n);
    }

    /** As {@link #read(byte[], int, int)}, into {@code destination}'s remaining bytes. */
    public int read(ByteBuffer destination) throws SessionException {
        int before = beforeRead();
        if (before < 0) {
            return -1; // the read side is shut
        }
        int n = rx.dequeue(destination);
        return afterRead(before, n);
    }

    /** As {@link #read(byte[], int, int)}, into native or heap memory. */
    public int read(MemorySegment destination, long offset, int length) throws SessionException {
        int before = beforeRead();
        if (before < 0) {
            return -1; // the read side is shut
        }
        int n = rx.dequeue(destination, offset, length);
        return afterRead(before, n);
    }

    /**
     * Reads at least one byte, waiting up to {@code timeoutMillis} (polling the worker meanwhile).
     *
     * @return bytes read, -1 at end of stream, 0 if nothing came in time
     */
    public int readWait(byte[] destination, int offset, int length, int timeoutMillis) throws IOException {
        int n = read(destination, offset, length);
        if (n != 0 || length == 0) {
            return n;
        }
        worker.waitUntil(readableOrEnded, timeoutMillis);
        return read(destination, offset, length);
    }

    private int beforeRead() throws SessionException {
        requireUsable();
        if (readShut) {
            return -1;
        }
        readable = false;
        // The event flag is cleared where the RX event is drained (AppWorker.poll), not here: a flag cleared by a read
        // with its event still queued would let the writer post one RX per read into a queue nobody drains meanwhile.
        return rx.readableBytes();
    }

    private int afterRead(int readableBefore, int n) throws SessionException {
        if (n > 0) {
            if (channel != null) {
                channel.notifyWriterIfWanted(slot);
            } else if (rx.needsDequeueNotification(readableBefore)) {
                worker.postIo(stackQueue, SessionMessage.DEQUEUED, handle);
            }
            return n;
        }
        if (resetStatus != null) {
            throw reset();
        }
        return peerClosed && rx.readableBytes() == 0 ? -1 : 0;
    }

    // ------------------------------------------------------------------------------------------------ writing

    /**
     * Writes as much of the bytes as the tx FIFO takes, without waiting.
     *
     * @return bytes written (0 when the FIFO is full: wait for {@link SessionEvents#onWritable})
     * @throws SessionException if the connection was reset, the write side shut, or the session closed
     */
    public int write(byte[] source, int offset, int length) throws SessionException {
        requireWritable();
        return afterWrite(tx.enqueue(source, offset, length), length);
    }

    /** As {@link #write(byte[], int, int)}, from {@code source}'s remaining bytes. */
    public int write(ByteBuffer source) throws SessionException {
        requireWritable();
        int length = source.remaining();
        return afterWrite(tx.enqueue(source), length);
    }

    /** As {@link #write(byte[], int, int)}, from native or heap memory. */
    public int write(MemorySegment source, long offset, int length) throws SessionException {
        requireWritable();
        return afterWrite(tx.enqueue(source, offset, length), length);
    }

    /**
     * Writes all the bytes, waiting for room as needed, for at most {@code timeoutMillis} in all.
     *
     * @throws SessionException TIMED_OUT if the stack did not take them in time, or the connection's failure
     */
    public void writeFully(byte[] source, int offset, int length, int timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        int done = 0;
        while (done < length) {
            done += write(source, offset + done, length - done);
            if (done == length) {
                return;
            }
            int left = (int) ((deadline - System.nanoTime()) / 1_000_000L);
            if (left <= 0) {
                throw new SessionException(SessionStatus.TIMED_OUT, this + ": " + (length - done) + " of " + length
                        + " bytes not taken within " + timeoutMillis + " ms");
            }
            worker.waitUntil(writableOrEnded, Math.min(left, 1_000));
        }
    }

    private int afterWrite(int n, int wanted) throws SessionException {
        if (channel != null) {
            if (n > 0) {
                channel.postRx(slot); // posts only if it raised the FIFO's event flag
            }
            if (n < wanted) {
                channel.requestDequeueNotification(slot);
            }
            return n;
        }
        if (n > 0 && tx.setEvent()) {
            worker.postIo(stackQueue, SessionMessage.TX, handle);
        }
        if (n < wanted) {
            // Full: ask to hear of the next dequeue, and look again (the stack may have dequeued meanwhile).
            tx.requestDequeueNotification(ByteFifo.NOTIFY_ALWAYS);
        }
        return n;
    }

    /**
     * Asks to hear ({@link SessionEvents#onWritable}) when the peer or the stack next takes bytes out of the tx FIFO,
     * as a write that found it full does; a readiness set uses it for a FIFO that filled up exactly.
     *
     * @return the free space now: the event is worth waiting for only if it is 0
     */
    public int requestWritable() {
        if (channel != null) {
            return channel.requestDequeueNotification(slot);
        }
        tx.requestDequeueNotification(ByteFifo.NOTIFY_ALWAYS);
        return tx.freeSpace();
    }

    // ------------------------------------------------------------------------------------------------ closing

    /** Closes the write side (FIN after the queued bytes); reads go on until the peer closes. */
    public void shutdownWrite(int timeoutMillis) throws IOException {
        requireUsable();
        awaitOk(worker.post(SessionMessage.SHUTDOWN, handle, SessionMessage.SHUT_WRITE, 0, 0, 0, 0), timeoutMillis,
                "shutdown");
        writeShut = true;
    }

    /** Sends without Nagle's delay ({@code true}) or coalesces small writes. */
    public void setNoDelay(boolean on, int timeoutMillis) throws IOException {
        requireUsable();
        awaitOk(worker.post(SessionMessage.SET_OPTION, handle, SessionMessage.OPTION_NO_DELAY, on ? 1 : 0, 0, 0, 0),
                timeoutMillis, "no-delay");
    }

    /**
     * Turns TCP keepalive on (probes after {@code idleSeconds} without traffic, every {@code intervalSeconds}, the
     * connection reset after {@code probes} unanswered) or off ({@code enabled} false; the numbers are ignored).
     *
     * @throws SessionException BAD_REQUEST for a number out of range (each 1 to 65535 when enabled)
     */
    public void setKeepalive(boolean enabled, int idleSeconds, int intervalSeconds, int probes, int timeoutMillis)
            throws IOException {
        requireUsable();
        if (enabled && (idleSeconds < 1 || intervalSeconds < 1 || intervalSeconds > 0xFFFF || probes < 1
                || probes > 0xFFFF)) {
            throw new SessionException(SessionStatus.BAD_REQUEST, this + ": keepalive idle " + idleSeconds
                    + " s, interval " + intervalSeconds + " s, probes " + probes + ": each must be 1 to 65535");
        }
        awaitOk(worker.post(SessionMessage.SET_OPTION, handle, SessionMessage.OPTION_KEEPALIVE, enabled ? 1 : 0,
                enabled ? idleSeconds : 0, enabled ? (intervalSeconds << 16) | probes : 0, 0), timeoutMillis,
                "keepalive");
    }

    /**
     * Closes the read side: the stack stops announcing bytes (what still arrives stays in the rx FIFO and its window
     * closes); reads return end of stream from now on.
     */
    public void shutdownRead(int timeoutMillis) throws IOException {
        requireUsable();
        awaitOk(worker.post(SessionMessage.SHUTDOWN, handle, SessionMessage.SHUT_READ, 0, 0, 0, 0), timeoutMillis,
                "shutdown read");
        readShut = true;
    }

    /**
     * Closes the session: the stack sends FIN after the queued bytes, then frees the session (CLEANUP). The FIFOs
     * must not be touched afterwards. Does not wait; see {@link #awaitCleanup}.
     */
    public void close() throws SessionException {
        if (closing || cleanedUp) {
            return;
        }
        closing = true;
        worker.post(SessionMessage.DISCONNECT, handle, 0, 0, 0, 0, 0);
    }

    /** Resets the connection (RST, queued bytes dropped) and frees the session. Does not wait. */
    public void abort() {
        if (closing || cleanedUp) {
            return;
        }
        closing = true;
        try {
            worker.post(SessionMessage.ABORT, handle, 0, 0, 0, 0, 0);
        } catch (SessionException e) {
            System.err.println("sluice: " + this + ": abort: " + e.getMessage());
        }
    }

    /** Waits until the stack freed the session after {@link #close()} or {@link #abort()}. */
    public boolean awaitCleanup(int timeoutMillis) {
        return worker.waitUntil(() -> cleanedUp, timeoutMillis);
    }

    /**
     * Asks the stack for the connection's TCP numbers (RTT, windows, retransmissions) and waits for them.
     *
     * @throws SessionException BAD_STATE once TCP is done with the connection, TIMED_OUT if the stack does not answer
     */
    public TcpInfo tcpInfo(int timeoutMillis) throws IOException {
        requireUsable();
        return (TcpInfo) awaitOk(worker.post(SessionMessage.GET_INFO, handle, 0, 0, 0, 0, 0), timeoutMillis, "TCP info")
                .subject();
    }

    private AppWorker.Reply awaitOk(int context, int timeoutMillis, String what) throws SessionException {
        AppWorker.Reply reply = worker.awaitSessionReply(context, timeoutMillis, what);
        if (reply.status() != SessionStatus.OK) {
            throw new SessionException(reply.status(), this + ": " + what + ": " + reply.status().meaning());
        }
        return reply;
    }

    // ------------------------------------------------------------------------------------------------ state

    /** An RX event was drained: clear the FIFO's event flag (before the reads it announces), note the session. */
    void markReadable() {
        if (channel == null) {
            rx.clearEvent(); // the channel clears its own in CutThroughEnd.drain
        }
        readable = true;
    }

    void markPeerClosed() {
        peerClosed = true;
    }

    void markReset(SessionStatus status) {
        if (resetStatus == null) {
            resetStatus = status;
        }
    }

    void markCleanedUp() {
        cleanedUp = true;
    }

    private void requireUsable() throws SessionException {
        if (closing || cleanedUp) {
            throw new SessionException(SessionStatus.INVALID_HANDLE, this + " is closed");
        }
    }

    private void requireWritable() throws SessionException {
        requireUsable();
        if (resetStatus != null) {
            throw reset();
        }
        if (writeShut) {
            throw new SessionException(SessionStatus.BAD_STATE, this + ": the write side is shut down");
        }
    }

    private SessionException reset() {
        return new SessionException(resetStatus, this + ": " + resetStatus.meaning());
    }

    public long handle() {
        return handle;
    }

    /** @return whether the session is cut through shared memory with an application on the same stack */
    public boolean isCutThrough() {
        return channel != null;
    }

    CutThroughEnd channel() {
        return channel;
    }

    int slot() {
        return slot;
    }

    public AppWorker worker() {
        return worker;
    }

    /** @return whether an RX event arrived since the last read */
    public boolean isReadable() {
        return readable;
    }

    /** @return bytes waiting in the rx FIFO */
    public int readableBytes() {
        return rx.readableBytes();
    }

    /** @return room in the tx FIFO */
    public int writableBytes() {
        return tx.freeSpace();
    }

    /** @return the rx FIFO's size: the most the peer can have in flight to this side (the receive window's cap) */
    public int rxCapacity() {
        return rx.capacity();
    }

    /** @return the tx FIFO's size: the most this side can have written and not yet acknowledged */
    public int txCapacity() {
        return tx.capacity();
    }

    /** @return bytes written and not yet acknowledged by the peer (or not yet sent) */
    public int unsentBytes() {
        return tx.readableBytes();
    }

    /** @return whether the peer closed its side */
    public boolean isPeerClosed() {
        return peerClosed;
    }

    /** @return why the connection died, or null while it lives */
    public SessionStatus resetStatus() {
        return resetStatus;
    }

    /** @return whether the write side was shut down ({@link #shutdownWrite}) */
    public boolean isWriteShut() {
        return writeShut;
    }

    /** @return whether the read side was shut down ({@link #shutdownRead}) */
    public boolean isReadShut() {
        return readShut;
    }

    /** @return whether {@link #close()} or {@link #abort()} was called, or the stack freed the session */
    public boolean isClosed() {
        return closing || cleanedUp;
    }

    /** @return whether the stack freed the session */
    public boolean isCleanedUp() {
        return cleanedUp;
    }

    public int remoteAddress() {
        return remoteAddress;
    }

    public int remotePort() {
        return remotePort;
    }

    public int localAddress() {
        return localAddress;
    }

    public int localPort() {
        return localPort;
    }

    @Override
    public String toString() {
        return SessionHandle.format(handle) + " " + Ip4Address.format(localAddress) + ":" + localPort + " -> "
                + Ip4Address.format(remoteAddress) + ":" + remotePort;
    }
}
