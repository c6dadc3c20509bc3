package io.sluice.netty;

import io.netty.channel.IoRegistration;
import io.sluice.comms.Sluice;
import io.sluice.comms.SluiceException;
import io.sluice.comms.SluicePollable;

/**
 * A {@link SluiceIoHandle}'s place in its loop's poller. A handle is registered before it has anything to watch (a
 * channel is registered, then binds or connects), and what it watches changes (a connect under way, then its
 * connection): {@link #watch} says what, {@link #submit} with {@link SluiceIoOps} says for which bits. Use it on the
 * loop's thread, as every comms-lib object belongs to the thread that made it.
 */
public interface SluiceIoRegistration extends IoRegistration {

    /**
     * Watches {@code target} (of this loop's thread) with the interest last submitted, instead of what was watched
     * before; null watches nothing.
     *
     * @throws SluiceException CLOSED if the target is closed, WRONG_THREAD if it is another thread's
     */
    void watch(SluicePollable target) throws SluiceException;

    /** @return what is watched now, or null */
    SluicePollable target();

    /** @return the attached application the loop's worker belongs to */
    Sluice sluice();
}
