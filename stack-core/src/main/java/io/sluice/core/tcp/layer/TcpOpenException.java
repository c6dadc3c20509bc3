package io.sluice.core.tcp.layer;

/**
 * Why {@link TcpLayer#connect} could not start a connection or {@link TcpLayer#listen} could not listen, as a value a
 * caller can map (the session layer turns it into a status for the application) besides the message a person reads.
 */
public final class TcpOpenException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** The kinds of refusal. */
    public enum Reason {
        /** The port or another argument is out of range. */
        BAD_ARGUMENT,
        /** No route to the remote address. */
        NO_ROUTE,
        /** No local address can reach it, or the address given is not the stack's. */
        NO_LOCAL_ADDRESS,
        /** The worker holds its maximum of connections. */
        WORKER_FULL,
        /** No free ephemeral port. */
        NO_PORT,
        /** The buffer factory had no buffers. */
        NO_BUFFERS,
        /** Listen: the address and port are taken. */
        ADDRESS_IN_USE
    }

    private final Reason reason;

    TcpOpenException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** @return why the connect was refused */
    public Reason reason() {
        return reason;
    }
}
