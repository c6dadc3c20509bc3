package io.sluice.session.msg;

/**
 * What a reply or notification says happened, as a 16-bit code in the message. Each code is one precise cause, so
 * a library can map it to an exception a program can test, with {@link #meaning()} as the message a person reads.
 */
public enum SessionStatus {

    OK(0, "ok"),
    /** The handle names no live session or listener (never made, or ended: its generation is old). */
    INVALID_HANDLE(1, "no such session or listener (it ended, or the handle is stale)"),
    /** The session or listener belongs to another application. */
    NOT_OWNER(2, "the session belongs to another application"),
    /** LISTEN: the address and port are taken. */
    ADDRESS_IN_USE(3, "address already in use"),
    /** The local address is not one of the stack's. */
    ADDRESS_NOT_AVAILABLE(4, "the address is not one of this stack's"),
    /** CONNECT: the peer answered the SYN with a reset (nothing listens there). */
    REFUSED(5, "connection refused"),
    /** CONNECT: no answer before the timeout; or the connection timed out (retransmissions, keepalive). */
    TIMED_OUT(6, "timed out"),
    /** CONNECT: no route to the address. */
    UNREACHABLE(7, "no route to the host"),
    /** The peer reset the connection. */
    RESET(8, "connection reset by peer"),
    /** The connection was aborted here (an application's reset, or the stack stopping). */
    ABORTED(9, "connection aborted"),
    /** The application's FIFO segments have no room for another session within the stack's limits. */
    NO_FIFO_SPACE(10, "no FIFO space for another session (segment limits reached)"),
    /** The stack worker's session table or the TCP connection table is full. */
    SESSION_LIMIT(11, "too many sessions"),
    /** No ephemeral port is free towards that peer. */
    NO_PORT(12, "no free local port"),
    /** The request's scope is not allowed (local-only application connecting out, namespace mismatch). */
    SCOPE_DENIED(13, "not allowed by the application's scope or namespace"),
    /** A field of the request is out of range (port 0 on connect, bad shutdown mode...). */
    BAD_REQUEST(14, "malformed request"),
    /** The message type is unknown to this stack. */
    UNKNOWN_TYPE(15, "unknown message type"),
    /** The request does not fit the session's state (shutdown of a closed session...). */
    BAD_STATE(16, "not possible in the session's state"),
    /** A failure inside the stack; the message is logged there. */
    INTERNAL(17, "internal error in the stack");

    private static final SessionStatus[] BY_CODE = new SessionStatus[18];

    static {
        for (SessionStatus status : values()) {
            BY_CODE[status.code] = status;
        }
    }

    private final int code;
    private final String meaning;

    SessionStatus(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    /** @return the code carried in messages */
    public int code() {
        return code;
    }

    /** @return a short human text */
    public String meaning() {
        return meaning;
    }

    /** @return the status of {@code code}, or null for a code this side does not know */
    public static SessionStatus ofCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
