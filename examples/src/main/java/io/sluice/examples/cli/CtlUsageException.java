package io.sluice.examples.cli;

/** A {@code bin/sluice ctl} command line that cannot be turned into a request; the message says why. */
final class CtlUsageException extends Exception {

    private static final long serialVersionUID = 1L;

    CtlUsageException(String message) {
        super(message);
    }
}
