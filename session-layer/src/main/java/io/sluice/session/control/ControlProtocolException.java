package io.sluice.session.control;

import java.io.IOException;

/** A control message that cannot be decoded or exceeds a limit; the message says which and where. */
public class ControlProtocolException extends IOException {

    private static final long serialVersionUID = 1L;

    /** @param message what was wrong, e.g. {@code request: unknown command code 0x7f} */
    public ControlProtocolException(String message) {
        super(message);
    }
}
