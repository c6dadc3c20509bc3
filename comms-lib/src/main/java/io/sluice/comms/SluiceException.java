package io.sluice.comms;

import io.sluice.session.app.SessionException;
import io.sluice.session.attach.AttachException;
import io.sluice.session.msg.SessionStatus;
import java.io.IOException;

/**
 * A failed call of the application library: {@link #code()} says what kind of failure it was so a program can
 * react, the message says what happened to what so a person can act on it.
 */
public final class SluiceException extends IOException {

    /** What kind of failure. */
    public enum Code {
        /** A non-blocking call could not proceed now; try again when the poller says ready. */
        WOULD_BLOCK,
        /** The peer refused the connection. */
        REFUSED,
        /** The peer reset the connection. */
        RESET,
        /** The connection was aborted (by the stack, or by this side closing with linger 0). */
        ABORTED,
        /** A blocking call's timeout passed. */
        TIMED_OUT,
        /** The application is not attached, or the stack refused or lost the attachment. */
        NOT_ATTACHED,
        /** The stack has no space (FIFO segments, sessions or ports) for another session. */
        NO_SPACE,
        /** A session was used from another thread than the one whose worker owns it. */
        WRONG_THREAD,
        /** The session, listener or application was already closed. */
        CLOSED,
        /** The local address is in use or is not one of the stack's. */
        ADDRESS,
        /** No route to the remote host. */
        UNREACHABLE,
        /** The application's scope or namespace does not allow it. */
        DENIED,
        /** Any other failure; the message says which. */
        OTHER
    }

    private static final long serialVersionUID = 1L;

    private final Code code;

    /**
     * @param code what kind of failure
     * @param message what happened, naming the thing it happened to
     */
    public SluiceException(Code code, String message) {
        super(message);
        this.code = code;
    }

    /**
     * @param code what kind of failure
     * @param message what happened, naming the thing it happened to
     * @param cause the lower layer's exception
     */
    public SluiceException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** @return what kind of failure this was */
    public Code code() {
        return code;
    }

    /**
     * Translates the session layer's failure.
     *
     * @param what the call and the thing it was made on, put before the stack's reason
     * @param cause the session layer's exception
     * @return the exception to throw
     */
    public static SluiceException of(String what, SessionException cause) {
        String meaning = cause.status().meaning();
        // A message that says more than the status's meaning (which numbers were out of range...) is kept whole.
        String detail = cause.getMessage() == null || cause.getMessage().endsWith(meaning) ? meaning
                : cause.getMessage();
        return new SluiceException(codeOf(cause.status()), what + ": " + detail, cause);
    }

    /**
     * Translates a refused attach (bad namespace secret, version, sizes).
     *
     * @param what the call, naming the application
     * @param cause the attach layer's exception
     * @return the exception to throw
     */
    public static SluiceException of(String what, AttachException cause) {
        return new SluiceException(Code.NOT_ATTACHED, what + ": " + cause.getMessage(), cause);
    }

    /**
     * The failure of using a session or listener from another thread than its worker's.
     *
     * @param what the session or listener
     * @param worker its worker's number
     * @param owner the thread the worker belongs to
     * @return the exception to throw, naming both threads
     */
    public static SluiceException wrongThread(String what, int worker, Thread owner) {
        return new SluiceException(Code.WRONG_THREAD, what + " belongs to worker " + worker + " of thread '"
                + owner.getName() + "' but was used from thread '" + Thread.currentThread().getName()
                + "': use each session on the thread that made it");
    }

    /**
     * @param status a session status from the stack
     * @return the code a program tests for it
     */
    public static Code codeOf(SessionStatus status) {
        return switch (status) {
            case REFUSED -> Code.REFUSED;
            case RESET -> Code.RESET;
            case ABORTED -> Code.ABORTED;
            case TIMED_OUT -> Code.TIMED_OUT;
            case NO_FIFO_SPACE, SESSION_LIMIT, NO_PORT -> Code.NO_SPACE;
            case ADDRESS_IN_USE, ADDRESS_NOT_AVAILABLE -> Code.ADDRESS;
            case UNREACHABLE -> Code.UNREACHABLE;
            case SCOPE_DENIED, NOT_OWNER -> Code.DENIED;
            case INVALID_HANDLE -> Code.CLOSED;
            case OK, BAD_REQUEST, UNKNOWN_TYPE, BAD_STATE, INTERNAL -> Code.OTHER;
        };
    }
}
