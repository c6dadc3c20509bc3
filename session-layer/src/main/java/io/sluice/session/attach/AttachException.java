package io.sluice.session.attach;

/**
 * An attach-protocol failure with its {@link AttachStatus}: a message that could not be decoded, a request the
 * stack refused, or (in the application) the stack's error reply, whose message it carries unchanged.
 */
public final class AttachException extends Exception {

    private static final long serialVersionUID = 1L;

    private final AttachStatus status;

    /**
     * @param status why; never {@link AttachStatus#OK}
     * @param message what exactly is wrong, naming the field or the value
     */
    public AttachException(AttachStatus status, String message) {
        super(message);
        if (status == AttachStatus.OK) {
            throw new IllegalArgumentException("an AttachException needs a failure status, not OK");
        }
        this.status = status;
    }

    /** @return the status code sent or received */
    public AttachStatus status() {
        return status;
    }
}
