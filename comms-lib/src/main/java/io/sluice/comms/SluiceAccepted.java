package io.sluice.comms;

import io.sluice.core.wire.Ip4Address;
import io.sluice.session.app.AppHandOff;
import io.sluice.session.app.AppSession;
import io.sluice.session.app.SessionException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A connection a hand-off listener accepted ({@link Sluice#listen(int, int, int, boolean)}) that no thread owns yet.
 * It may be passed to any thread of the application; the thread that will use it {@link #claim claims} it, and the
 * stack then sends that thread's worker its events (cut through, it also places the FIFOs in a channel of that
 * worker, and only then answers the connecting application). This is how an event-loop server hands each accepted
 * connection to a loop of its choice: one round trip to the stack, no byte copied.
 *
 * <p>Claim or {@link #reject} each one: until then the connection waits (a cut-through connector waits for its
 * answer), and the application's detach is what clears an abandoned one.
 */
public final class SluiceAccepted {

    private final Sluice sluice;
    private final AppHandOff handOff;
    private final AtomicBoolean taken = new AtomicBoolean();

    SluiceAccepted(Sluice sluice, AppHandOff handOff) {
        this.sluice = sluice;
        this.handOff = handOff;
    }

    /** @return the peer's address and port */
    public InetSocketAddress remoteAddress() {
        return SluiceAddresses.socketAddress(handOff.remoteAddress(), handOff.remotePort());
    }

    /** @return the local address and port */
    public InetSocketAddress localAddress() {
        return SluiceAddresses.socketAddress(handOff.localAddress(), handOff.localPort());
    }

    /** @return whether the peer is an application on the same stack (shared-memory FIFOs, no TCP) */
    public boolean isCutThrough() {
        return handOff.cutThrough();
    }

    /**
     * Makes the connection the calling thread's: one round trip to the stack. If the peer closed or reset it
     * meanwhile, the connection says so (end of stream, or RESET on the first call).
     *
     * @param timeoutMillis how long to wait for the stack's answer
     * @return the connection, owned by this thread
     * @throws SluiceException CLOSED if it was claimed or rejected already; NO_SPACE (cut through, no FIFO room);
     *     OTHER naming the stack's status if the connection is gone; TIMED_OUT, NOT_ATTACHED
     */
    public SluiceConnection claim(int timeoutMillis) throws SluiceException {
        take("claim");
        try {
            AppSession session = sluice.worker().move(handOff, timeoutMillis);
            return new SluiceConnection(session, Thread.currentThread());
        } catch (SessionException e) {
            throw SluiceException.of("claiming " + this, e);
        } catch (IOException e) {
            throw new SluiceException(SluiceException.Code.NOT_ATTACHED, "claiming " + this + ": " + e.getMessage(),
                    e);
        }
    }

    /**
     * Refuses the connection: the peer is reset (a cut-through connector is refused); waits until the stack has
     * cleaned it up.
     *
     * @throws SluiceException CLOSED if it was claimed or rejected already; the stack's status; NOT_ATTACHED
     */
    public void reject(int timeoutMillis) throws SluiceException {
        take("reject");
        try {
            sluice.worker().reject(handOff, timeoutMillis);
        } catch (SessionException e) {
            throw SluiceException.of("rejecting " + this, e);
        } catch (IOException e) {
            throw new SluiceException(SluiceException.Code.NOT_ATTACHED, "rejecting " + this + ": " + e.getMessage(),
                    e);
        }
    }

    private void take(String what) throws SluiceException {
        if (!taken.compareAndSet(false, true)) {
            throw new SluiceException(SluiceException.Code.CLOSED, "cannot " + what + " " + this
                    + ": it was claimed or rejected already");
        }
    }

    @Override
    public String toString() {
        return "accepted connection from " + Ip4Address.format(handOff.remoteAddress()) + ":" + handOff.remotePort()
                + (handOff.cutThrough() ? " (cut through)" : "") + " on port " + handOff.listener().port();
    }
}
