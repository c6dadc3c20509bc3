package io.sluice.session.segment;

/**
 * The segment manager cannot give an application what it asks for: FIFO sizes beyond the stack's limits, no room
 * left within its segment or byte limit, segments that could not be made, or an application already detached. The
 * message names the application, what was asked and the limit.
 */
public final class SegmentException extends Exception {

    private static final long serialVersionUID = 1L;

    public SegmentException(String message) {
        super(message);
    }
}
