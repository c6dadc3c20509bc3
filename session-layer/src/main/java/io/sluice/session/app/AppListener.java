package io.sluice.session.app;

import io.sluice.core.wire.Ip4Address;
import io.sluice.session.msg.SessionHandle;
import java.util.ArrayDeque;

/**
 * A listener an {@link AppWorker} bound: its handle, the address and port it listens on, and the sessions the
 * stack accepted on it that the application has not taken yet ({@link #poll()}).
 */
public final class AppListener {

    private final AppWorker worker;
    private final long handle;
    private final int address;
    private final int port;
    private final ArrayDeque<AppSession> accepted = new ArrayDeque<>();
    private final ArrayDeque<AppHandOff> handOffs = new ArrayDeque<>();
    private boolean closed;

    AppListener(AppWorker worker, long handle, int address, int port) {
        this.worker = worker;
        this.handle = handle;
        this.address = address;
        this.port = port;
    }

    void enqueue(AppSession session) {
        accepted.add(session);
    }

    void enqueue(AppHandOff handOff) {
        handOffs.add(handOff);
    }

    void markClosed() {
        closed = true;
    }

    /** @return the next accepted session, or null when none waits (see {@link AppWorker#accept}) */
    public AppSession poll() {
        return accepted.poll();
    }

    /**
     * For a hand-off listener: the next accepted session, for a worker to claim ({@link AppWorker#move}).
     *
     * @return it, or null when none waits
     */
    public AppHandOff pollHandOff() {
        return handOffs.poll();
    }

    /** @return how many accepted sessions wait (sessions, or hand-offs for a hand-off listener) */
    public int pending() {
        return accepted.size() + handOffs.size();
    }

    public long handle() {
        return handle;
    }

    /** @return the local address it listens on (0: every address of the stack) */
    public int address() {
        return address;
    }

    /** @return the port it listens on (the one the stack chose, if it was asked for port 0) */
    public int port() {
        return port;
    }

    public AppWorker worker() {
        return worker;
    }

    /** @return whether it was closed ({@link AppWorker#unlisten}) */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return SessionHandle.format(handle) + " on " + Ip4Address.format(address) + ":" + port;
    }
}
