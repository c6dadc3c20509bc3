package io.sluice.session.stack;

import io.sluice.core.tcp.layer.TcpListener;
import io.sluice.session.msg.SessionHandle;
import io.sluice.session.msg.SessionMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * The stack's listeners, shared by all workers (LISTEN may arrive on any stack queue): entries with generations,
 * handles of kind {@link SessionHandle#KIND_LISTENER}. Listening is the control path, so one lock guards the table.
 */
final class ListenerTable {

    /** One listener: the TCP listener and who gets its ACCEPTED notifications. */
    static final class Entry {
        final int index;
        int generation;
        long handle;
        StackApplication app;
        int appWorker;
        /** {@link SessionMessage#FLAG_SCOPE_LOCAL} and/or {@link SessionMessage#FLAG_SCOPE_GLOBAL}, from LISTEN. */
        int scopeFlags;
        /** LISTEN's {@link SessionMessage#FLAG_HAND_OFF}: accepted sessions wait for a MOVE. */
        boolean handOff;
        TcpListener listener;

        Entry(int index) {
            this.index = index;
        }
    }

    private final List<Entry> entries = new ArrayList<>();
    private final List<Integer> free = new ArrayList<>();

    /**
     * Takes an entry for a listener of {@code app}'s {@code appWorker}; its handle is set, its listener is not.
     *
     * @return null when the application is detaching (its listeners were, or are about to be, removed)
     */
    synchronized Entry add(StackApplication app, int appWorker) {
        if (app.isDetaching()) {
            return null;
        }
        Entry e;
        if (free.isEmpty()) {
            e = new Entry(entries.size());
            entries.add(e);
        } else {
            e = entries.get(free.removeLast());
        }
        e.generation = (e.generation + 1) & SessionHandle.GENERATION_MASK;
        e.handle = SessionHandle.of(SessionHandle.KIND_LISTENER, 0, e.generation, e.index);
        e.app = app;
        e.appWorker = appWorker;
        return e;
    }

    /**
     * The listener a cut-through connect to {@code address}:{@code port} reaches: bound to that address or to every
     * address, on that port, and allowing local scope.
     *
     * @return the entry, or null if none
     */
    synchronized Entry findLocal(int address, int port) {
        for (Entry e : entries) {
            TcpListener l = e.listener;
            if (e.app != null && l != null && l.port() == port && (l.localAddress() == address
                    || l.localAddress() == 0) && (e.scopeFlags & SessionMessage.FLAG_SCOPE_LOCAL) != 0) {
                return e;
            }
        }
        return null;
    }

    /** The live entry {@code handle} names, or null. */
    synchronized Entry lookup(long handle) {
        if (SessionHandle.kind(handle) != SessionHandle.KIND_LISTENER) {
            return null;
        }
        int index = SessionHandle.index(handle);
        if (index < 0 || index >= entries.size()) {
            return null;
        }
        Entry e = entries.get(index);
        return e.app != null && e.handle == handle ? e : null;
    }

    /** Sets the TCP listener of an entry; false if the entry was removed meanwhile (its application detached). */
    synchronized boolean bind(Entry e, TcpListener listener) {
        if (e.app == null) {
            return false;
        }
        e.listener = listener;
        return true;
    }

    /** Frees an entry (its listener closed by the caller). */
    synchronized void remove(Entry e) {
        if (e.app == null) {
            return;
        }
        e.app = null;
        e.listener = null;
        e.handle = SessionHandle.NONE;
        free.add(e.index);
    }

    /** Removes every listener of {@code app} and returns their TCP listeners, to close. */
    synchronized List<TcpListener> removeAll(StackApplication app) {
        List<TcpListener> removed = new ArrayList<>();
        for (Entry e : entries) {
            if (e.app == app) {
                if (e.listener != null) {
                    removed.add(e.listener);
                }
                e.app = null;
                e.listener = null;
                e.handle = SessionHandle.NONE;
                free.add(e.index);
            }
        }
        return removed;
    }

    /** How many listeners {@code app} has. */
    synchronized int count(StackApplication app) {
        int n = 0;
        for (Entry e : entries) {
            if (e.app == app) {
                n++;
            }
        }
        return n;
    }
}
