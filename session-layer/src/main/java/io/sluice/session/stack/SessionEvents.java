package io.sluice.session.stack;

import io.sluice.core.tcp.layer.TcpEvents;
import io.sluice.core.tcp.layer.TcpFlow;

/**
 * What TCP tells the session layer, on the connection's worker: each call goes to that worker's
 * {@link SessionWorker}, which finds the session in the flow's attachment. One instance per listener (so an accepted
 * connection knows whose it is) and one for all active opens.
 */
final class SessionEvents implements TcpEvents {

    private final SessionLayer layer;
    /** For a listener's connections: who hears of them (kept here, as the table entry is reused later). */
    private final StackApplication app;
    private final int appWorker;
    private final long listenerHandle;
    private final boolean handOff;

    /** Events of active opens. */
    SessionEvents(SessionLayer layer) {
        this(layer, null, 0, 0, false);
    }

    /**
     * Events of the connections of listener {@code listenerHandle} of {@code app}'s {@code appWorker}; with
     * {@code handOff}, each accepted session waits for the worker that claims it.
     */
    SessionEvents(SessionLayer layer, StackApplication app, int appWorker, long listenerHandle, boolean handOff) {
        this.layer = layer;
        this.app = app;
        this.appWorker = appWorker;
        this.listenerHandle = listenerHandle;
        this.handOff = handOff;
    }

    @Override
    public boolean onAccepted(TcpFlow flow) {
        layer.worker(flow.worker()).accepted(app, appWorker, listenerHandle, handOff, flow);
        return true;
    }

    @Override
    public void onEstablished(TcpFlow flow) {
        layer.worker(flow.worker()).established(flow);
    }

    @Override
    public void onReceived(TcpFlow flow) {
        layer.worker(flow.worker()).received(flow);
    }

    @Override
    public void onSent(TcpFlow flow) {
        layer.worker(flow.worker()).sent(flow);
    }

    @Override
    public void onPeerClosed(TcpFlow flow) {
        layer.worker(flow.worker()).peerClosed(flow);
    }

    @Override
    public void onClosed(TcpFlow flow) {
        layer.worker(flow.worker()).closed(flow);
    }
}
