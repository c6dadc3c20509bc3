package io.sluice.netty;

import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.ServerSocketChannel;
import io.sluice.comms.SluiceAccepted;
import io.sluice.comms.SluiceException;
import io.sluice.comms.SluiceListener;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * A listener of a Sluice application as a Netty {@link ServerSocketChannel}. It listens with hand-off
 * ({@link io.sluice.comms.Sluice#listen(int, int, int, boolean)}): each accepted connection becomes a
 * {@link SluiceSocketChannel} that no loop owns yet, and the child loop it is registered with claims it (one round
 * trip to the stack), so boss and child groups work as with any transport. Port 0 picks a free port, which
 * {@link #localAddress()} reports; 127.0.0.0/8 is the stack's own loopback (connections to it are cut through).
 */
public final class SluiceServerSocketChannel extends AbstractSluiceChannel implements ServerSocketChannel {

    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);
    /** How long rejecting a connection nobody will take waits for the stack. */
    private static final int REJECT_TIMEOUT_MILLIS = 5_000;

    private final SluiceServerSocketChannelConfig config;
    private SluiceListener listener;

    /** A server channel: register it with a {@link SluiceIoHandler}'s loop, then bind. */
    public SluiceServerSocketChannel() {
        super(null);
        this.config = new SluiceServerSocketChannelConfig(this);
    }

    @Override
    public SluiceServerSocketChannelConfig config() {
        return config;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    public boolean isActive() {
        return open && local != null;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) super.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return null;
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return null;
    }

    @Override
    void registered(SluiceIoRegistration registration) throws Exception {
        if (listener != null) {
            watch(listener);
        }
    }

    @Override
    protected void doBind(SocketAddress localAddress) throws Exception {
        InetSocketAddress address = SluiceErrors.ip4(localAddress);
        SluiceIoRegistration r = registration();
        if (r == null) {
            throw new IllegalStateException(this + " is not registered with a Sluice event loop");
        }
        int bits = SluiceErrors.bits(address);
        try {
            listener = r.sluice().listen(bits, address.getPort(), config.getBacklog(), true);
        } catch (SluiceException e) {
            throw (Exception) SluiceErrors.translate(e, false);
        }
        owner = Thread.currentThread();
        receiveFifo = (int) Math.min(Integer.MAX_VALUE, r.sluice().config().rxFifoSize());
        local = new InetSocketAddress(address.getAddress(), listener.port());
        watch(listener);
    }

    @Override
    protected void doClose() throws Exception {
        if (!open) {
            return;
        }
        open = false;
        SluiceListener l = listener;
        if (l == null) {
            return;
        }
        listener = null;
        try {
            // Connections accepted and not yet taken would wait for a claim until the application detaches.
            for (SluiceAccepted left = l.acceptForHandOff(); left != null; left = l.acceptForHandOff()) {
                left.reject(REJECT_TIMEOUT_MILLIS);
            }
        } finally {
            l.close();
        }
    }

    @Override
    protected void doDisconnect() {
        throw new UnsupportedOperationException("a server channel does not disconnect");
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) {
        throw new UnsupportedOperationException("a server channel does not write");
    }

    @Override
    protected Object filterOutboundMessage(Object msg) {
        throw new UnsupportedOperationException("a server channel does not write");
    }

    @Override
    protected ServerUnsafe newUnsafe() {
        return new ServerUnsafe();
    }

    /** Accepts on the loop: each connection waiting becomes a child channel, fired as a read. */
    final class ServerUnsafe extends AbstractSluiceUnsafe {

        @Override
        public void connect(SocketAddress remoteAddress, SocketAddress localAddress, ChannelPromise promise) {
            promise.setFailure(new UnsupportedOperationException("a server channel does not connect"));
        }

        @Override
        void inReady(boolean error) {
            SluiceListener l = listener;
            if (l == null) {
                return;
            }
            ChannelConfig channelConfig = config();
            ChannelPipeline pipeline = pipeline();
            RecvByteBufAllocator.Handle allocHandle = recvBufAllocHandle();
            allocHandle.reset(channelConfig);
            Throwable failure = null;
            try {
                do {
                    SluiceAccepted accepted = l.acceptForHandOff();
                    if (accepted == null) {
                        break;
                    }
                    allocHandle.incMessagesRead(1);
                    readPending = false;
                    pipeline.fireChannelRead(new SluiceSocketChannel(SluiceServerSocketChannel.this, accepted));
                } while (allocHandle.continueReading());
            } catch (Throwable t) {
                failure = t;
            }
            allocHandle.readComplete();
            pipeline.fireChannelReadComplete();
            if (failure == null && error) {
                failure = new IOException(SluiceServerSocketChannel.this + ": the stack went away");
            }
            if (failure != null) {
                pipeline.fireExceptionCaught(failure);
                if (failure instanceof IOException) {
                    close(voidPromise());
                    return;
                }
            }
            if (!readPending && !channelConfig.isAutoRead()) {
                clearReadInterest();
            }
        }
    }
}
