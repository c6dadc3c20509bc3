package io.sluice.netty;

import io.netty.channel.AbstractChannel;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandle;
import io.netty.channel.IoRegistration;
import io.sluice.comms.Sluice;
import io.sluice.comms.SluiceException;
import io.sluice.comms.SluicePollable;
import io.sluice.comms.SluicePoller;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * What the Sluice channels share: registration with a {@link SluiceIoHandler}'s loop, the interest submitted to it
 * (told to the poller only when it changes), and the rule that a channel's comms-lib objects belong to the loop
 * thread that made them.
 */
public abstract class AbstractSluiceChannel extends AbstractChannel {

    /** Bits a handle hears whether it asked or not. */
    static final int ERROR_BITS = SluicePoller.ERR | SluicePoller.HUP;

    private SluiceIoRegistration registration;
    /** The loop's registration: what interest is submitted to and what is cancelled. */
    private IoRegistration ioRegistration;
    /** The {@link SluiceIoOps} bits wanted; submitted on registration and on each change. */
    private int ops;
    /** The thread whose worker holds this channel's listener, connect or connection; null before there is one. */
    Thread owner;
    volatile boolean open = true;
    volatile InetSocketAddress local;
    /** The receive FIFO size of the connection (or of the application's connections); 0 before there is one. */
    volatile int receiveFifo;

    /** @param parent the server channel that accepted it, or null */
    protected AbstractSluiceChannel(Channel parent) {
        super(parent);
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    protected SocketAddress localAddress0() {
        return local;
    }

    final int receiveBufferSize() {
        return receiveFifo;
    }

    @Override
    protected boolean isCompatible(EventLoop loop) {
        return loop instanceof IoEventLoop ioLoop && ioLoop.isCompatible(SluiceIoHandle.class);
    }

    /** @return the application of the loop this channel is registered with; null before registration */
    final Sluice sluice() {
        return registration == null ? null : registration.sluice();
    }

    final SluiceIoRegistration registration() {
        return registration;
    }

    @Override
    protected void doRegister(ChannelPromise promise) {
        ((IoEventLoop) eventLoop()).register((IoHandle) unsafe()).addListener(f -> {
            if (!f.isSuccess()) {
                promise.setFailure(f.cause());
                return;
            }
            // The loop wraps the handler's registration (to count them): submit and cancel go through the wrapper,
            // whose attachment is the handler's own.
            IoRegistration loopRegistration = (IoRegistration) f.getNow();
            try {
                registration = loopRegistration.attachment();
                ioRegistration = loopRegistration;
                registered(registration);
                loopRegistration.submit(SluiceIoOps.valueOf(ops));
                promise.setSuccess();
            } catch (Throwable t) {
                registration = null;
                ioRegistration = null;
                loopRegistration.cancel();
                promise.setFailure(t);
            }
        });
    }

    /**
     * On the loop, once registered: watch what the channel has (or claim it).
     *
     * @throws Exception failing the registration, with its message
     */
    abstract void registered(SluiceIoRegistration registration) throws Exception;

    /**
     * Watches {@code target}, which must belong to this loop's thread: a connection cannot move between loops, as
     * its events go to the worker of the thread that made it.
     */
    final void watch(SluicePollable target) throws SluiceException {
        if (owner != null && owner != Thread.currentThread()) {
            throw new IllegalStateException(this + " belongs to event loop thread '" + owner.getName()
                    + "' and cannot be registered with '" + Thread.currentThread().getName() + "': a Sluice"
                    + " connection or listener stays with the loop that made it");
        }
        registration.watch(target);
    }

    @Override
    protected void doDeregister() {
        IoRegistration r = ioRegistration;
        if (r != null) {
            registration = null;
            ioRegistration = null;
            r.cancel();
        }
    }

    /** Adds interest ({@link SluiceIoOps} bits); the poller hears of it only if it changes. */
    final void setOps(int bits) {
        if ((ops & bits) != bits) {
            ops |= bits;
            submitOps();
        }
    }

    /** Removes interest. */
    final void clearOps(int bits) {
        if ((ops & bits) != 0) {
            ops &= ~bits;
            submitOps();
        }
    }

    final boolean isOpsSet(int bits) {
        return (ops & bits) == bits;
    }

    private void submitOps() {
        IoRegistration r = ioRegistration;
        if (r != null && r.isValid()) {
            r.submit(SluiceIoOps.valueOf(ops));
        }
    }

    @Override
    protected void doBeginRead() {
        ((AbstractSluiceUnsafe) unsafe()).readPending = true;
        setOps(SluicePoller.IN);
    }

    /** Auto-read was turned off: stop reading unless a read was asked for meanwhile. */
    final void autoReadCleared() {
        if (!isRegistered()) {
            clearOps(SluicePoller.IN);
            return;
        }
        EventLoop loop = eventLoop();
        if (loop.inEventLoop()) {
            ((AbstractSluiceUnsafe) unsafe()).clearReadInterest();
        } else {
            loop.execute(() -> {
                if (!((AbstractSluiceUnsafe) unsafe()).readPending && !config().isAutoRead()) {
                    ((AbstractSluiceUnsafe) unsafe()).clearReadInterest();
                }
            });
        }
    }

    @Override
    protected abstract AbstractSluiceUnsafe newUnsafe();

    /** The channel's side of the loop: {@link #handle} takes the poller's report. */
    abstract class AbstractSluiceUnsafe extends AbstractUnsafe implements SluiceIoHandle {

        /** A read was asked for ({@code read()} or auto-read) and nothing has been read since. */
        boolean readPending;

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            int bits = ((SluiceIoEvent) event).bits();
            // Writable (or a connect's answer) first: a failed connect must fail its promise before a read is tried.
            if ((bits & (SluicePoller.OUT | SluicePoller.ERR)) != 0) {
                outReady();
            }
            if (!isOpen()) {
                return;
            }
            if ((bits & SluicePoller.RDHUP) != 0 && (bits & SluicePoller.ERR) == 0) {
                rdHupReady();
            } else if ((bits & (SluicePoller.IN | SluicePoller.ERR)) != 0) {
                inReady((bits & SluicePoller.ERR) != 0);
            }
        }

        /** The peer shut its output (asked for by socket channels only). */
        void rdHupReady() {
            inReady(false);
        }

        /** The poller said readable (or in error). */
        abstract void inReady(boolean error);

        /** The poller said writable (or in error). */
        void outReady() {
        }

        final void clearReadInterest() {
            readPending = false;
            try {
                clearOps(SluicePoller.IN);
            } catch (UncheckedIOException e) {
                pipeline().fireExceptionCaught(e.getCause());
                close(voidPromise());
            }
        }

        @Override
        public void close() {
            close(voidPromise());
        }

        @Override
        public String toString() {
            return "unsafe of " + AbstractSluiceChannel.this;
        }
    }
}
