package io.sluice.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.FileRegion;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.internal.StringUtil;
import io.sluice.comms.SluiceAccepted;
import io.sluice.comms.SluiceConnection;
import io.sluice.comms.SluiceException;
import io.sluice.comms.SluicePendingConnect;
import io.sluice.comms.SluicePoller;
import io.sluice.session.app.TcpInfo;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.TimeUnit;

/**
 * A TCP (or cut-through) connection of a Sluice application as a Netty {@link SocketChannel}: bytes are read from
 * and written to the connection's shared-memory FIFOs on the channel's event loop, whose thread owns the connection.
 *
 * <p>A client channel connects without blocking ({@link io.sluice.comms.Sluice#startConnect}); an accepted one is
 * made by a {@link SluiceServerSocketChannel} from a hand-off ({@link SluiceAccepted}) and claims its connection when
 * it is registered, on its own loop (one round trip to the stack). Only IPv4 addresses; the local address and port of
 * a connection are the stack's choice.
 */
public final class SluiceSocketChannel extends AbstractSluiceChannel implements SocketChannel {

    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);
    /** A write the FIFO took nothing of: ends the write loop, asking for room ({@code writeSpinCount} below 0). */
    private static final int FIFO_FULL = Integer.MAX_VALUE;
    /** How long a claim, a shutdown or a reject waits for the stack's answer. */
    private static final int STACK_REPLY_MILLIS = 5_000;
    private static final String EXPECTED_TYPES = " (expected: " + StringUtil.simpleClassName(ByteBuf.class) + ", "
            + StringUtil.simpleClassName(FileRegion.class) + ')';

    private final SluiceSocketChannelConfig config;
    private final Runnable flushTask = () -> ((SocketUnsafe) unsafe()).flush0();
    private final Gather gather = new Gather();

    /** A hand-off not yet claimed (accepted channels, before registration). */
    private SluiceAccepted accepted;
    private SluicePendingConnect pendingConnect;
    private SluiceConnection connection;
    private volatile boolean active;
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;
    /** End of stream was reported a second time after the input shut: the read side is finished. */
    private boolean inputClosedSeenErrorOnRead;
    private volatile InetSocketAddress remote;
    private volatile int sendFifo;

    private ChannelPromise connectPromise;
    private Future<?> connectTimeoutFuture;
    private InetSocketAddress requestedRemote;
    /** The address a bind asked for (port 0), checked against the one the stack gives the connection; or null. */
    private InetSocketAddress requestedLocal;
    private WritableByteChannel fileRegionTarget;

    /** A client channel: register it with a {@link SluiceIoHandler}'s loop, then connect. */
    public SluiceSocketChannel() {
        super(null);
        this.config = new SluiceSocketChannelConfig(this);
    }

    /** An accepted connection, claimed when the channel is registered. */
    SluiceSocketChannel(SluiceServerSocketChannel parent, SluiceAccepted accepted) {
        super(parent);
        this.config = new SluiceSocketChannelConfig(this);
        this.accepted = accepted;
        this.active = true;
        this.local = accepted.localAddress();
        this.remote = accepted.remoteAddress();
    }

    @Override
    public ServerSocketChannel parent() {
        return (ServerSocketChannel) super.parent();
    }

    @Override
    public SluiceSocketChannelConfig config() {
        return config;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    public boolean isActive() {
        return active;
    }

    /** @return whether the peer is an application of the same stack (shared-memory FIFOs, no TCP) */
    public boolean isCutThrough() {
        SluiceConnection c = connection;
        return c != null ? c.isCutThrough() : accepted != null && accepted.isCutThrough();
    }

    /**
     * Asks the stack for the connection's TCP numbers (a round trip); call it on the channel's event loop.
     *
     * @return RTT, windows, retransmissions ({@link TcpInfo#isCutThrough()} for a cut-through connection)
     * @throws IOException NotYetConnected, WRONG_THREAD off the loop, the stack's status
     */
    public TcpInfo tcpInfo() throws IOException {
        SluiceConnection c = connection;
        if (c == null) {
            throw new NotYetConnectedException();
        }
        return c.tcpInfo();
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) super.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) super.remoteAddress();
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return remote;
    }

    int sendBufferSize() {
        return sendFifo;
    }

    // ------------------------------------------------------------------------------------------------ registration

    @Override
    void registered(SluiceIoRegistration registration) throws Exception {
        SluiceAccepted handOff = accepted;
        if (handOff != null) {
            accepted = null;
            SluiceConnection claimed;
            try {
                claimed = handOff.claim(STACK_REPLY_MILLIS);
            } catch (SluiceException e) {
                throw new IOException("registering the accepted " + this + ": " + e.getMessage(), e);
            }
            owner = Thread.currentThread();
            connected(claimed);
        }
        if (connection != null) {
            watchConnection(connection);
        } else if (pendingConnect != null) {
            watch(pendingConnect);
        }
    }

    /**
     * Watches the connection: for what the channel asks, and always for the peer's FIN (RDHUP), which is read to the
     * end of the stream whether or not a read is pending, as Netty's epoll transport does (a half-closure must reach
     * a channel with auto-read off).
     */
    private void watchConnection(SluiceConnection c) throws SluiceException {
        watch(c);
        setOps(SluicePoller.RDHUP);
    }

    /** The connection is up (connected or claimed): take its addresses and sizes and give it the options. */
    private void connected(SluiceConnection c) throws SluiceException, BindException {
        connection = c;
        if (requestedLocal != null && !requestedLocal.getAddress().equals(c.localAddress().getAddress())) {
            throw new BindException(this + " was bound to " + requestedLocal.getAddress() + " but the stack gave the"
                    + " connection " + c.localAddress() + " (the stack picks the source address by route)");
        }
        local = c.localAddress();
        if (remote == null) {
            remote = c.remoteAddress();
        }
        receiveFifo = c.receiveBufferSize();
        sendFifo = c.sendBufferSize();
        if (!c.isCutThrough()) {
            // The stack's TCP starts with Nagle and without keepalive; tell it only what differs.
            if (config.isTcpNoDelay()) {
                c.setNoDelay(true);
            }
            if (config.isKeepAlive()) {
                applyKeepAlive(c);
            }
        }
    }

    private void applyKeepAlive(SluiceConnection c) throws SluiceException {
        c.setKeepAlive(config.isKeepAlive(), config.getTcpKeepIdle(), config.getTcpKeepInterval(),
                config.getTcpKeepCount());
    }

    /** TCP_NODELAY changed: a connected TCP connection hears it, on its loop. */
    void noDelayChanged() {
        onConnection(false);
    }

    /** SO_KEEPALIVE or a keepalive number changed. */
    void keepAliveChanged() {
        onConnection(true);
    }

    private void onConnection(boolean keepAlive) {
        if (connection == null || !isRegistered()) {
            return; // applied at connect or claim
        }
        EventLoop loop = eventLoop();
        if (!loop.inEventLoop()) {
            loop.execute(() -> onConnection(keepAlive));
            return;
        }
        SluiceConnection c = connection;
        if (c == null || c.isCutThrough() || !open) {
            return;
        }
        try {
            if (keepAlive) {
                applyKeepAlive(c);
            } else {
                c.setNoDelay(config.isTcpNoDelay());
            }
        } catch (SluiceException e) {
            pipeline().fireExceptionCaught(e);
        }
    }

    // ------------------------------------------------------------------------------------------------ closing

    @Override
    protected void doBind(SocketAddress localAddress) throws Exception {
        InetSocketAddress address = SluiceErrors.ip4(localAddress);
        if (address.getPort() != 0) {
            throw new BindException("binding " + this + " to " + address + ": the stack chooses a connection's local"
                    + " port; bind to port 0");
        }
        // The stack picks the source address by route: a bound address is kept and checked when connected.
        requestedLocal = address.getAddress().isAnyLocalAddress() ? null : address;
        local = address;
    }

    @Override
    protected void doDisconnect() throws Exception {
        doClose();
    }

    @Override
    protected void doClose() throws Exception {
        boolean wasOpen = open;
        open = false;
        active = false;
        inputClosedSeenErrorOnRead = true;
        ChannelPromise promise = connectPromise;
        if (promise != null) {
            promise.tryFailure(new ClosedChannelException());
            connectPromise = null;
        }
        Future<?> timeout = connectTimeoutFuture;
        if (timeout != null) {
            timeout.cancel(false);
            connectTimeoutFuture = null;
        }
        if (!wasOpen) {
            return;
        }
        if (pendingConnect != null) {
            SluicePendingConnect connect = pendingConnect;
            pendingConnect = null;
            connect.cancel();
        }
        if (accepted != null) {
            SluiceAccepted handOff = accepted;
            accepted = null;
            handOff.reject(STACK_REPLY_MILLIS);
        }
        SluiceConnection c = connection;
        if (c != null) {
            if (config.getSoLinger() == 0) {
                c.abort();
            } else {
                c.close();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ writing

    @Override
    protected Object filterOutboundMessage(Object msg) {
        if (msg instanceof ByteBuf || msg instanceof FileRegion) {
            return msg;
        }
        throw new UnsupportedOperationException("unsupported message type: " + StringUtil.simpleClassName(msg)
                + EXPECTED_TYPES);
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) throws Exception {
        int writeSpinCount = config.getWriteSpinCount();
        do {
            int messages = in.size();
            if (messages == 0) {
                clearOps(SluicePoller.OUT);
                return;
            }
            if (messages > 1 && in.current() instanceof ByteBuf) {
                writeSpinCount -= writeGathering(in);
            } else {
                writeSpinCount -= writeSingle(in);
            }
            // Not left early when everything went: a listener of a completed write may have written more.
        } while (writeSpinCount > 0);
        if (writeSpinCount == 0) {
            // The spin budget ran out with the FIFO still taking bytes: let other channels run, then go on.
            clearOps(SluicePoller.OUT);
            eventLoop().execute(flushTask);
        } else {
            // The FIFO is full: the poller says when it has room.
            setOps(SluicePoller.OUT);
        }
    }

    private int writeGathering(ChannelOutboundBuffer in) throws Exception {
        gather.written = 0;
        gather.full = false;
        in.forEachFlushedMessage(gather);
        if (gather.written > 0) {
            in.removeBytes(gather.written);
            return 1;
        }
        if (!gather.full) {
            in.removeBytes(0); // empty buffers only
            return 0;
        }
        return FIFO_FULL;
    }

    /**
     * Writes the flushed buffers one after the other until the FIFO is full: a gathering write that needs no array
     * of NIO views.
     */
    private final class Gather implements ChannelOutboundBuffer.MessageProcessor {
        long written;
        boolean full;

        @Override
        public boolean processMessage(Object msg) throws Exception {
            if (!(msg instanceof ByteBuf buf)) {
                return false;
            }
            int readable = buf.readableBytes();
            if (readable == 0) {
                return true;
            }
            int n = ByteBufIo.write(connection, buf, buf.readerIndex(), readable);
            written += n;
            full = n < readable;
            return !full;
        }
    }

    private int writeSingle(ChannelOutboundBuffer in) throws Exception {
        Object msg = in.current();
        if (msg instanceof ByteBuf buf) {
            int readable = buf.readableBytes();
            if (readable == 0) {
                in.remove();
                return 0;
            }
            int written = ByteBufIo.write(connection, buf, buf.readerIndex(), readable);
            if (written > 0) {
                in.removeBytes(written);
                return 1;
            }
            return FIFO_FULL;
        }
        FileRegion region = (FileRegion) msg;
        if (region.transferred() >= region.count()) {
            in.remove();
            return 0;
        }
        if (fileRegionTarget == null) {
            fileRegionTarget = new ConnectionByteChannel();
        }
        long written = region.transferTo(fileRegionTarget, region.transferred());
        if (written > 0) {
            in.progress(written);
            if (region.transferred() >= region.count()) {
                in.remove();
            }
            return 1;
        }
        return FIFO_FULL;
    }

    /** What a {@link FileRegion} writes to: the connection's send FIFO, as far as it has room. */
    private final class ConnectionByteChannel implements WritableByteChannel {
        @Override
        public int write(ByteBuffer source) throws IOException {
            return connection.write(source);
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
        }
    }

    // ------------------------------------------------------------------------------------------------ shutdown

    @Override
    protected void doShutdownOutput() throws Exception {
        SluiceConnection c = connection;
        if (c == null) {
            throw new NotYetConnectedException();
        }
        c.shutdownOutput();
        outputShutdown = true;
        clearOps(SluicePoller.OUT);
    }

    /** @return whether the input was shut (by the peer's FIN or shutdownInput), or the channel closed */
    @Override
    public boolean isInputShutdown() {
        return inputShutdown || !open;
    }

    /** @return whether the output was shut, or the channel closed (a closed socket is shut both ways) */
    @Override
    public boolean isOutputShutdown() {
        return outputShutdown || !open;
    }

    @Override
    public boolean isShutdown() {
        return isInputShutdown() && isOutputShutdown();
    }

    @Override
    public ChannelFuture shutdownOutput() {
        return shutdownOutput(newPromise());
    }

    @Override
    public ChannelFuture shutdownOutput(ChannelPromise promise) {
        EventLoop loop = eventLoop();
        if (loop.inEventLoop()) {
            ((AbstractUnsafe) unsafe()).shutdownOutput(promise);
        } else {
            loop.execute(() -> ((AbstractUnsafe) unsafe()).shutdownOutput(promise));
        }
        return promise;
    }

    @Override
    public ChannelFuture shutdownInput() {
        return shutdownInput(newPromise());
    }

    @Override
    public ChannelFuture shutdownInput(ChannelPromise promise) {
        EventLoop loop = eventLoop();
        if (loop.inEventLoop()) {
            shutdownInputNow(promise);
        } else {
            loop.execute(() -> shutdownInputNow(promise));
        }
        return promise;
    }

    private void shutdownInputNow(ChannelPromise promise) {
        try {
            SluiceConnection c = connection;
            if (c == null) {
                throw new NotYetConnectedException();
            }
            if (!inputShutdown) {
                c.shutdownInput();
                inputShutdown = true;
            }
            promise.setSuccess();
        } catch (Throwable t) {
            promise.setFailure(t);
        }
    }

    @Override
    public ChannelFuture shutdown() {
        return shutdown(newPromise());
    }

    @Override
    public ChannelFuture shutdown(ChannelPromise promise) {
        shutdownOutput().addListener((ChannelFutureListener) output ->
                shutdownInput().addListener((ChannelFutureListener) input -> {
                    Throwable cause = output.cause() != null ? output.cause() : input.cause();
                    if (cause != null) {
                        promise.setFailure(cause);
                    } else {
                        promise.setSuccess();
                    }
                }));
        return promise;
    }

    @Override
    protected SocketUnsafe newUnsafe() {
        return new SocketUnsafe();
    }

    /** Reads, flushes and the connect, on the loop. */
    final class SocketUnsafe extends AbstractSluiceUnsafe {

        @Override
        public void connect(SocketAddress remoteAddress, SocketAddress localAddress, ChannelPromise promise) {
            if (promise.isDone() || !ensureOpen(promise)) {
                return;
            }
            try {
                if (connectPromise != null) {
                    throw new ConnectionPendingException();
                }
                if (connection != null || accepted != null) {
                    throw new AlreadyConnectedException();
                }
                InetSocketAddress address = SluiceErrors.ip4(remoteAddress);
                if (localAddress != null) {
                    doBind(localAddress);
                }
                SluiceIoRegistration r = registration();
                if (r == null) {
                    throw new IllegalStateException(SluiceSocketChannel.this + " is not registered with a Sluice"
                            + " event loop");
                }
                int timeoutMillis = config.getConnectTimeoutMillis();
                pendingConnect = r.sluice().startConnect(SluiceErrors.bits(address), address.getPort(),
                        Math.max(timeoutMillis, 0));
                owner = Thread.currentThread();
                requestedRemote = address;
                connectPromise = promise;
                setOps(SluicePoller.OUT);
                watch(pendingConnect);
                if (timeoutMillis > 0) {
                    connectTimeoutFuture = eventLoop().schedule(() -> {
                        ChannelPromise pending = connectPromise;
                        if (pending != null && !pending.isDone() && pending.tryFailure(new ConnectTimeoutException(
                                "connection timed out after " + timeoutMillis + " ms: " + address))) {
                            close(voidPromise());
                        }
                    }, timeoutMillis, TimeUnit.MILLISECONDS);
                }
                promise.addListener((ChannelFutureListener) future -> {
                    if (future.isCancelled()) {
                        if (connectTimeoutFuture != null) {
                            connectTimeoutFuture.cancel(false);
                        }
                        connectPromise = null;
                        close(voidPromise());
                    }
                });
            } catch (Throwable t) {
                closeIfClosed();
                promise.tryFailure(annotateConnectException(SluiceErrors.translate(t, true), remoteAddress));
            }
        }

        @Override
        void outReady() {
            if (connectPromise != null) {
                finishConnect();
            } else if (connection == null) {
                return;
            } else if (!outputShutdown) {
                super.flush0(); // room in the FIFO: write now, whatever OUT says
            } else {
                clearOps(SluicePoller.OUT);
            }
        }

        private void finishConnect() {
            boolean inProgress = false;
            ChannelPromise promise = connectPromise;
            try {
                boolean wasActive = active;
                SluiceConnection c = pendingConnect.finish();
                if (c == null) {
                    inProgress = true;
                    return;
                }
                pendingConnect = null;
                clearOps(SluicePoller.OUT);
                connected(c);
                watchConnection(c);
                active = true;
                boolean promiseSet = promise.trySuccess();
                if (!wasActive) {
                    pipeline().fireChannelActive();
                }
                if (!promiseSet) {
                    close(voidPromise()); // cancelled meanwhile
                }
            } catch (Throwable t) {
                pendingConnect = null;
                promise.tryFailure(annotateConnectException(SluiceErrors.translate(t, true),
                        requestedRemote));
                closeIfClosed();
            } finally {
                if (!inProgress) {
                    if (connectTimeoutFuture != null) {
                        connectTimeoutFuture.cancel(false);
                        connectTimeoutFuture = null;
                    }
                    connectPromise = null;
                }
            }
        }

        @Override
        protected void flush0() {
            // With OUT asked for, the poller calls back when the FIFO has room: writing before would find it full.
            if (!isOpsSet(SluicePoller.OUT)) {
                super.flush0();
            }
        }

        /**
         * The peer's FIN: read what is left and the end of the stream, pending read or not, going round the loop until
         * the input is done with (with half-closure: the shutdown event, then the read-complete one). Reported once.
         */
        @Override
        void rdHupReady() {
            clearOps(SluicePoller.RDHUP);
            inReady(false);
            if (open && active && !shouldBreakReading()) {
                eventLoop().execute(this::rdHupReadAgain);
            }
        }

        private void rdHupReadAgain() {
            if (open && active && !shouldBreakReading()) {
                inReady(false);
                if (open && active && !shouldBreakReading()) {
                    eventLoop().execute(this::rdHupReadAgain);
                }
            }
        }

        @Override
        void inReady(boolean error) {
            SluiceConnection c = connection;
            if (c == null) {
                return;
            }
            ChannelConfig channelConfig = config();
            if (shouldBreakReading()) {
                clearReadInterest();
                return;
            }
            ChannelPipeline pipeline = pipeline();
            ByteBufAllocator allocator = channelConfig.getAllocator();
            RecvByteBufAllocator.Handle allocHandle = recvBufAllocHandle();
            allocHandle.reset(channelConfig);
            ByteBuf buf = null;
            boolean eof = false;
            try {
                do {
                    buf = allocHandle.allocate(allocator);
                    int writerIndex = buf.writerIndex();
                    int writable = buf.writableBytes();
                    allocHandle.attemptedBytesRead(writable);
                    int read = ByteBufIo.read(c, buf, writerIndex, writable);
                    allocHandle.lastBytesRead(read);
                    if (read <= 0) {
                        buf.release();
                        buf = null;
                        eof = read < 0;
                        if (eof) {
                            readPending = false;
                        }
                        break;
                    }
                    buf.writerIndex(writerIndex + read);
                    allocHandle.incMessagesRead(1);
                    readPending = false;
                    pipeline.fireChannelRead(buf);
                    buf = null;
                    if (shouldBreakReading()) {
                        break; // shut or closed by a handler meanwhile
                    }
                } while (allocHandle.continueReading());
                allocHandle.readComplete();
                pipeline.fireChannelReadComplete();
                if (eof) {
                    endOfStream();
                }
            } catch (Throwable t) {
                readFailed(pipeline, buf, t, allocHandle);
            } finally {
                if (!readPending && !channelConfig.isAutoRead() && open) {
                    clearReadInterest();
                }
            }
        }

        private boolean shouldBreakReading() {
            return !open || inputShutdown && (inputClosedSeenErrorOnRead || !config.isAllowHalfClosure());
        }

        /** The peer's FIN (or this side's shutdownInput): half-closure as Netty's stream channels do it. */
        private void endOfStream() {
            if (!inputShutdown) {
                if (config.isAllowHalfClosure()) {
                    inputShutdown = true;
                    pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
                } else {
                    close(voidPromise());
                }
            } else if (!inputClosedSeenErrorOnRead) {
                inputClosedSeenErrorOnRead = true;
                pipeline().fireUserEventTriggered(ChannelInputShutdownReadComplete.INSTANCE);
                clearReadInterest();
            }
        }

        private void readFailed(ChannelPipeline pipeline, ByteBuf buf, Throwable cause,
                RecvByteBufAllocator.Handle allocHandle) {
            if (buf != null) {
                if (buf.isReadable()) {
                    readPending = false;
                    pipeline.fireChannelRead(buf);
                } else {
                    buf.release();
                }
            }
            allocHandle.readComplete();
            pipeline.fireChannelReadComplete();
            pipeline.fireExceptionCaught(SluiceErrors.translate(cause, false));
            if (cause instanceof IOException || cause instanceof OutOfMemoryError) {
                close(voidPromise()); // reset, aborted or closed: nothing more will come
            }
        }
    }
}
