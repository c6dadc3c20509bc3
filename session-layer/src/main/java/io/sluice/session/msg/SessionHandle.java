package io.sluice.session.msg;

/**
 * A 64-bit name for a session or a listener, handed to the application and given back in every request about it.
 *
 * <pre>
 *  63 62 | 61 ...... 56 | 55 ............. 32 | 31 ............................. 0
 *  kind  | stack worker |  generation (24)    |  index in the worker's table (32)
 * </pre>
 *
 * The stack worker says which stack queue an application posts a session's requests to (the worker that owns the
 * session and its transport connection). The generation grows each time a table entry is reused, so a handle kept
 * after its session ended names nothing instead of a stranger's session: the stack answers INVALID_HANDLE.
 * Handles are never 0 ({@link #NONE}): kinds start at 1.
 */
public final class SessionHandle {

    /** No session: a handle field that is not used. */
    public static final long NONE = 0;

    /** A session bound to a TCP connection, owned by a stack worker. */
    public static final int KIND_SESSION = 1;
    /** A listener (stack-wide; its requests may go to any stack queue). */
    public static final int KIND_LISTENER = 2;
    /** A session cut through shared memory between two applications. */
    public static final int KIND_CUT_THROUGH = 3;

    /** Stack workers a handle can name. */
    public static final int MAX_WORKERS = 64;
    /** Generations wrap at this. */
    public static final int GENERATION_MASK = 0xFF_FFFF;

    private SessionHandle() {
    }

    /** A handle of {@code kind} for entry {@code index} of worker {@code worker}'s table at {@code generation}. */
    public static long of(int kind, int worker, int generation, int index) {
        if (kind < KIND_SESSION || kind > KIND_CUT_THROUGH) {
            throw new IllegalArgumentException("handle kind " + kind + " is not 1..3");
        }
        if (worker < 0 || worker >= MAX_WORKERS) {
            throw new IllegalArgumentException("stack worker " + worker + " is outside 0.." + (MAX_WORKERS - 1));
        }
        if (index < 0) {
            throw new IllegalArgumentException("table index " + index + " is negative");
        }
        return ((long) kind << 62) | ((long) worker << 56) | ((long) (generation & GENERATION_MASK) << 32)
                | (index & 0xFFFF_FFFFL);
    }

    /** @return the kind: {@link #KIND_SESSION}, {@link #KIND_LISTENER}, {@link #KIND_CUT_THROUGH}, or 0 */
    public static int kind(long handle) {
        return (int) (handle >>> 62);
    }

    /** @return the stack worker that owns the session */
    public static int worker(long handle) {
        return (int) (handle >>> 56) & (MAX_WORKERS - 1);
    }

    /** @return the generation of the table entry the handle was made for */
    public static int generation(long handle) {
        return (int) (handle >>> 32) & GENERATION_MASK;
    }

    /** @return the index in the worker's table */
    public static int index(long handle) {
        return (int) handle;
    }

    /** A readable form for messages: {@code session w1:42#7}. */
    public static String format(long handle) {
        String kind = switch (kind(handle)) {
            case KIND_SESSION -> "session";
            case KIND_LISTENER -> "listener";
            case KIND_CUT_THROUGH -> "cut-through session";
            default -> "handle";
        };
        if (handle == NONE) {
            return "no handle";
        }
        return kind + " w" + worker(handle) + ":" + (index(handle) & 0xFFFF_FFFFL) + "#" + generation(handle);
    }
}
