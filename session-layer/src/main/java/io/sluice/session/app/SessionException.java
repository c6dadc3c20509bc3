package io.sluice.session.app;

import io.sluice.session.msg.SessionStatus;
import java.io.IOException;

/**
 * A session request the stack refused, or a session that failed: the {@link SessionStatus} a program can test and a
 * message a person can act on.
 */
public final class SessionException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient SessionStatus status;

    public SessionException(SessionStatus status, String message) {
        super(message);
        this.status = status;
    }

    /** @return the precise cause */
    public SessionStatus status() {
        return status;
    }
}
