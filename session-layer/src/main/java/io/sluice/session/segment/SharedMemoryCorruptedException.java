package io.sluice.session.segment;

/**
 * A structure in shared memory holds a value its owner could never have written: a position outside the buffer,
 * a range list out of order, a slot sequence from no valid state. Another process (or a bug) scribbled on it.
 *
 * <p>Every read of a field that another process can write is checked before it is used; a failed check throws
 * this, naming the structure, the field and the values, and nothing is read or written outside the structure.
 * The stack answers by detaching the application that owns the memory.
 */
public final class SharedMemoryCorruptedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public SharedMemoryCorruptedException(String message) {
        super(message);
    }
}
