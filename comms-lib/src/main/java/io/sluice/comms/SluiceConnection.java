package io.sluice.comms;

import io.sluice.session.app.AppSession;
import io.sluice.session.app.AppWorker;
import io.sluice.session.app.SessionException;
import io.sluice.session.app.TcpInfo;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A connection of an attached application: reads and writes go straight to the session's shared-memory FIFOs.
 * It belongs to the thread that made or accepted it (see {@link Sluice}); any other thread gets
 * {@code WRONG_THREAD}. Reads and writes do not wait and do not allocate.
 */
public final class SluiceConnection extends SluicePollable implements AutoCloseable {

    /** How long a call that needs the stack's answer waits for it. */
    private static final int REPLY_TIMEOUT_MILLIS = 5_000;

    private final AppSession session;

    SluiceConnection(AppSession session, Thread owner) {
        super(owner);
        this.session = session;
    }

    /**
     * Reads what has arrived, up to {@code length} bytes.
     *
     * @return bytes read; 0 if none are there yet; -1 at end of stream
     * @throws SluiceException RESET or ABORTED with the reason, CLOSED, WRONG_THREAD
     */
    public int read(byte[] destination, int offset, int length) throws SluiceException {
        requireOwner();
        try {
            return session.read(destination, offset, length);
        } catch (SessionException e) {
            throw SluiceException.of("reading " + session, e);
        }
    }

    /**
     * Reads at least one byte, waiting up to {@code timeoutMillis}: the worker's queue is polled first (so a peer's
     * close is seen), then, with a timeout above 0, a short spin and a sleep on the worker's eventfd. With
     * {@code timeoutMillis} 0 it is one busy-poll step: poll, read, never sleep.
     *
     * @return bytes read; -1 at end of stream; 0 if nothing came in time
     * @throws SluiceException RESET or ABORTED with the reason, CLOSED, WRONG_THREAD
     */
    public int read(byte[] destination, int offset, int length, int timeoutMillis) throws SluiceException {
        requireOwner();
        try {
            return session.readWait(destination, offset, length, timeoutMillis);
        } catch (SessionException e) {
            throw SluiceException.of("reading " + session, e);
        } catch (IOException e) {
            throw new SluiceException(SluiceException.Code.NOT_ATTACHED, "reading " + session + ": "
                    + e.getMessage(), e);
        }
    }

    /** As {@link #read(byte[], int, int)}, into a heap or direct buffer's remaining bytes. */
    public int read(ByteBuffer destination) throws SluiceException {
        requireOwner();
        try {
            return session.read(destination);
        } catch (SessionException e) {
            throw SluiceException.of("reading " + session, e);
        }
    }

    /**
     * Scattering read: fills {@code destinations[offset]}, then the next, as far as the bytes that are there go.
     *
     * @return bytes read; 0 if none are there yet; -1 at end of stream
     */
    public long read(ByteBuffer[] destinations, int offset, int length) throws SluiceException {
        Objects.checkFromIndexSize(offset, length, destinations.length);
        requireOwner();
        long total = 0;
        try {
            for (int i = offset; i < offset + length; i++) {
                ByteBuffer destination = destinations[i];
                if (!destination.hasRemaining()) {
                    continue;
                }
                int n = session.read(destination);
                if (n < 0) {
                    return total == 0 ? -1 : total;
                }
                total += n;
                if (destination.hasRemaining()) {
                    break; // the FIFO ran dry
                }
            }
            return total;
        } catch (SessionException e) {
            if (total > 0) {
                return total; // the failure shows on the next call
            }
            throw SluiceException.of("reading " + session, e);
        }
    }

    /** As {@link #read(byte[], int, int)}, into native or heap memory. */
    public int read(MemorySegment destination, long offset, int length) throws SluiceException {
        requireOwner();
        try {
            return session.read(destination, offset, length);
        } catch (SessionException e) {
            throw SluiceException.of("reading " + session, e);
        }
    }

    /**
     * Writes as much as the tx FIFO has room for.
     *
     * @return bytes written, 0 when the FIFO is full
     * @throws SluiceException RESET or ABORTED with the reason, CLOSED, WRONG_THREAD
     */
    public int write(byte[] source, int offset, int length) throws SluiceException {
        requireOwner();
        try {
            return session.write(source, offset, length);
        } catch (SessionException e) {
            throw SluiceException.of("writing " + session, e);
        }
    }

    /**
     * Writes every byte, waiting for room in the tx FIFO (polling this thread's worker, then sleeping on its
     * eventfd) for at most {@code timeoutMillis} in all.
     *
     * @throws SluiceException TIMED_OUT naming how many bytes were not taken, RESET or ABORTED, CLOSED, WRONG_THREAD
     */
    public void writeFully(byte[] source, int offset, int length, int timeoutMillis) throws SluiceException {
        requireOwner();
        try {
            session.writeFully(source, offset, length, timeoutMillis);
        } catch (SessionException e) {
            throw SluiceException.of("writing " + session, e);
        } catch (IOException e) {
            throw new SluiceException(SluiceException.Code.NOT_ATTACHED, "writing " + session + ": "
                    + e.getMessage(), e);
        }
    }

    /** As {@link #write(byte[], int, int)}, from a heap or direct buffer's remaining bytes. */
    public int write(ByteBuffer source) throws SluiceException {
        requireOwner();
        try {
            return session.write(source);
        } catch (SessionException e) {
            throw SluiceException.of("writing " + session, e);
        }
    }

    /**
     * Gathering write: takes {@code sources[offset]}, then the next, as far as the tx FIFO has room.
     *
     * @return bytes written, 0 when the FIFO is full
     */
    public long write(ByteBuffer[] sources, int offset, int length) throws SluiceException {
        Objects.checkFromIndexSize(offset, length, sources.length);
        requireOwner();
        long total = 0;
        try {
            for (int i = offset; i < offset + length; i++) {
                ByteBuffer source = sources[i];
                if (!source.hasRemaining()) {
                    continue;
                }
                total += session.write(source);
                if (source.hasRemaining()) {
                    break; // the FIFO is full
                }
            }
            return total;
        } catch (SessionException e) {
            if (total > 0) {
                return total;
            }
            throw SluiceException.of("writing " + session, e);
        }
    }

    /** As {@link #write(byte[], int, int)}, from native or heap memory. */
    public int write(MemorySegment source, long offset, int length) throws SluiceException {
        requireOwner();
        try {
            return session.write(source, offset, length);
        } catch (SessionException e) {
            throw SluiceException.of("writing " + session, e);
        }
    }

    /**
     * Closes the write side (FIN after what was written); reads go on until the peer closes.
     *
     * @throws SluiceException the stack's status, TIMED_OUT when it does not answer, WRONG_THREAD
     */
    public void shutdownOutput() throws SluiceException {
        control("shutting down output of", () -> session.shutdownWrite(REPLY_TIMEOUT_MILLIS));
    }

    /**
     * Closes the read side: reads return end of stream from now on, and the stack stops announcing bytes (what
     * still arrives waits in the receive FIFO, whose window closes).
     *
     * @throws SluiceException the stack's status, TIMED_OUT when it does not answer, WRONG_THREAD
     */
    public void shutdownInput() throws SluiceException {
        control("shutting down input of", () -> session.shutdownRead(REPLY_TIMEOUT_MILLIS));
    }

    /**
     * TCP keepalive: probes after {@code idleSeconds} without traffic, every {@code intervalSeconds}, the connection
     * reset after {@code probes} unanswered ones; {@code enabled} false turns it off. (A cut-through session accepts
     * and ignores it: there is no network between the two applications.)
     *
     * @throws SluiceException OTHER for numbers out of range (1 to 65535), the stack's status, WRONG_THREAD
     */
    public void setKeepAlive(boolean enabled, int idleSeconds, int intervalSeconds, int probes)
            throws SluiceException {
        control("setting keepalive on",
                () -> session.setKeepalive(enabled, idleSeconds, intervalSeconds, probes, REPLY_TIMEOUT_MILLIS));
    }

    /**
     * Sends small writes at once ({@code true}) or lets TCP coalesce them (Nagle).
     *
     * @throws SluiceException the stack's status, TIMED_OUT when it does not answer, WRONG_THREAD
     */
    public void setNoDelay(boolean on) throws SluiceException {
        control("setting no-delay on", () -> session.setNoDelay(on, REPLY_TIMEOUT_MILLIS));
    }

    /**
     * The connection's TCP numbers as the stack has them now: state, smoothed RTT and variation, congestion window,
     * slow-start threshold, send window, MSS, retransmitted segments ({@link TcpInfo#isCutThrough()} for a local
     * peer, which has none).
     *
     * @throws SluiceException OTHER once TCP is done with the connection, TIMED_OUT, WRONG_THREAD
     */
    public TcpInfo tcpInfo() throws SluiceException {
        TcpInfo[] info = new TcpInfo[1];
        control("reading TCP info of", () -> info[0] = session.tcpInfo(REPLY_TIMEOUT_MILLIS));
        return info[0];
    }

    /** @return bytes that can be read now without waiting */
    public int readableBytes() {
        return session.readableBytes();
    }

    /** @return the local address and port */
    public InetSocketAddress localAddress() {
        return SluiceAddresses.socketAddress(session.localAddress(), session.localPort());
    }

    /** @return the remote address and port */
    public InetSocketAddress remoteAddress() {
        return SluiceAddresses.socketAddress(session.remoteAddress(), session.remotePort());
    }

    /** @return whether the peer is an application of the same stack, reached through shared memory */
    public boolean isCutThrough() {
        return session.isCutThrough();
    }

    /** @return the receive FIFO's size (the receive buffer: from the application's {@code rx-fifo-size}) */
    public int receiveBufferSize() {
        return session.rxCapacity();
    }

    /** @return the send FIFO's size (the send buffer: from the application's {@code tx-fifo-size}) */
    public int sendBufferSize() {
        return session.txCapacity();
    }

    /** @return bytes written and not yet taken and acknowledged: 0 once everything written reached the peer */
    public int unsentBytes() {
        return session.unsentBytes();
    }

    /** @return the low-level session, for calls this class does not offer yet */
    public AppSession session() {
        return session;
    }

    /**
     * Closes gracefully (FIN after what was written); does not wait.
     *
     * @throws SluiceException WRONG_THREAD
     */
    @Override
    public void close() throws SluiceException {
        requireOwner();
        leavePoller();
        try {
            session.close();
        } catch (SessionException e) {
            throw SluiceException.of("closing " + session, e);
        }
    }

    /**
     * Resets (linger 0): RST to the peer, unsent bytes dropped.
     *
     * @throws SluiceException WRONG_THREAD
     */
    public void abort() throws SluiceException {
        requireOwner();
        leavePoller();
        session.abort();
    }

    /** A call the stack answers: runs it on the owner thread, its failure named with {@code what} and the session. */
    private void control(String what, StackCall call) throws SluiceException {
        requireOwner();
        try {
            call.run();
        } catch (SessionException e) {
            throw SluiceException.of(what + " " + session, e);
        } catch (IOException e) {
            throw new SluiceException(SluiceException.Code.TIMED_OUT, what + " " + session + ": " + e.getMessage(), e);
        }
    }

    /** A session call that waits for the stack's answer. */
    @FunctionalInterface
    private interface StackCall {
        void run() throws IOException;
    }

    @Override
    AppWorker worker() {
        return session.worker();
    }

    /** As Linux's TCP poll: a reset is every bit, an ended side counts as ready (its call returns at once). */
    @Override
    int readiness(int interest) {
        if (session.isClosed()) {
            return -1;
        }
        if (session.resetStatus() != null) {
            return SluicePoller.IN | SluicePoller.OUT | SluicePoller.RDHUP | SluicePoller.ERR | SluicePoller.HUP;
        }
        boolean readEnded = session.isPeerClosed() || session.isReadShut();
        boolean writeEnded = session.isWriteShut();
        int bits = readEnded ? SluicePoller.IN | SluicePoller.RDHUP : session.readableBytes() > 0 ? SluicePoller.IN : 0;
        // A full FIFO asks to hear of the next dequeue (a write that filled it exactly did not), then looks again.
        if (writeEnded || session.writableBytes() > 0
                || (interest & SluicePoller.OUT) != 0 && session.requestWritable() > 0) {
            bits |= SluicePoller.OUT;
        }
        return readEnded && writeEnded ? bits | SluicePoller.HUP : bits;
    }

    private void requireOwner() throws SluiceException {
        if (Thread.currentThread() != owner) {
            throw SluiceException.wrongThread(session.toString(), session.worker().index(), owner);
        }
    }

    @Override
    public String toString() {
        return "SluiceConnection[" + session + "]";
    }
}
