package io.sluice.comms;

import io.sluice.session.app.AppWorker;

/**
 * What a {@link SluicePoller} watches: a {@link SluiceConnection}, a {@link SluiceListener} or a
 * {@link SluicePendingConnect}. Each belongs to one thread and its worker, and can be in that thread's poller once.
 */
public abstract sealed class SluicePollable permits SluiceConnection, SluiceListener, SluicePendingConnect {

    /** The thread it belongs to: every call compares it with the caller. */
    final Thread owner;
    /** Its place in the poller it was added to; null while in none. */
    SluicePoller.Entry pollEntry;

    SluicePollable(Thread owner) {
        this.owner = owner;
    }

    /** @return the worker whose queue carries its events */
    abstract AppWorker worker();

    /**
     * What is true of it now, in {@link SluicePoller}'s bits (level, not events).
     *
     * @param interest the bits its poller entry asks for (a connection uses it to ask for write-space events)
     * @return the bits, or -1 when it was closed and leaves the poller
     */
    abstract int readiness(int interest);

    /** Takes it out of its poller, if it is in one: called when it closes. */
    final void leavePoller() {
        if (pollEntry != null) {
            pollEntry.poller().unregister(pollEntry);
        }
    }
}
