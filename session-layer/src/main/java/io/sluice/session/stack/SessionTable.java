package io.sluice.session.stack;

import io.sluice.session.msg.SessionHandle;

/**
 * A stack worker's sessions: an array of entries and a stack of free indices, with a generation per entry so a
 * handle kept after its session ended names nothing (its generation is old). Touched only by the worker's thread;
 * entries are made the first time their index is used and reused afterwards, so allocating and looking up a session
 * allocates nothing in steady state.
 */
final class SessionTable {

    private final int worker;
    private final Session[] entries;
    private final int[] free;
    private int freeCount;

    SessionTable(int worker, int capacity) {
        this.worker = worker;
        this.entries = new Session[capacity];
        this.free = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            free[i] = capacity - 1 - i; // low indices first
        }
        this.freeCount = capacity;
    }

    /** A fresh session with a new handle, or null when the table is full. */
    Session allocate() {
        if (freeCount == 0) {
            return null;
        }
        int index = free[--freeCount];
        Session s = entries[index];
        if (s == null) {
            s = new Session(index, worker);
            entries[index] = s;
        }
        s.generation = (s.generation + 1) & SessionHandle.GENERATION_MASK;
        s.handle = SessionHandle.of(SessionHandle.KIND_SESSION, worker, s.generation, index);
        s.inUse = true;
        return s;
    }

    /** Gives an entry back: its handle names nothing from now on. */
    void free(Session s) {
        if (!s.inUse) {
            throw new IllegalStateException(s + " freed twice");
        }
        s.inUse = false;
        s.handle = SessionHandle.NONE;
        free[freeCount++] = s.index;
    }

    /**
     * The live session {@code handle} names on this worker, or null when it names none: another kind, another
     * worker, an index out of range, or an old generation.
     */
    Session lookup(long handle) {
        if (SessionHandle.kind(handle) != SessionHandle.KIND_SESSION || SessionHandle.worker(handle) != worker) {
            return null;
        }
        int index = SessionHandle.index(handle);
        if (index < 0 || index >= entries.length) {
            return null;
        }
        Session s = entries[index];
        return s != null && s.inUse && s.handle == handle ? s : null;
    }

    /** Entry {@code index} if it is live, else null (for walking the table). */
    Session live(int index) {
        Session s = entries[index];
        return s != null && s.inUse ? s : null;
    }

    int capacity() {
        return entries.length;
    }
}
