package io.sluice.session.app;

import io.sluice.core.wire.Ip4Address;
import io.sluice.session.msg.SessionHandle;

/**
 * A session a hand-off listener accepted ({@code FLAG_HAND_OFF}) that no worker owns yet: the worker that will use
 * it claims it with {@link AppWorker#move} (the stack then sends that worker its events and, cut through, places
 * its FIFOs in a channel of that worker), or rejects it with {@link AppWorker#reject}. Immutable, so it may cross
 * threads; the claim is made on the claiming worker's thread.
 *
 * @param handle the session's handle, as ACCEPTED named it
 * @param listener the listener that accepted it
 * @param remoteAddress the peer's address
 * @param remotePort the peer's port
 * @param localAddress the local address
 * @param localPort the local port
 * @param cutThrough whether the peer is an application on the same stack (no TCP between them)
 */
public record AppHandOff(long handle, AppListener listener, int remoteAddress, int remotePort, int localAddress,
        int localPort, boolean cutThrough) {

    @Override
    public String toString() {
        return SessionHandle.format(handle) + " from " + Ip4Address.format(remoteAddress) + ":" + remotePort
                + (cutThrough ? " (cut through)" : "") + ", accepted on " + listener;
    }
}
