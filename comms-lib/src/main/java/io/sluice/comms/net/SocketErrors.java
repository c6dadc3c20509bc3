package io.sluice.comms.net;

import io.sluice.comms.SluiceException;
import io.sluice.session.app.SessionException;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * The {@code java.net} exception a socket caller expects for a failure of the session layer: the type a client
 * library tests ({@link ConnectException} for a refusal, {@link SocketTimeoutException}...), the message it would
 * log, and the {@link SluiceException} with its code as the cause.
 */
final class SocketErrors {

    private SocketErrors() {
    }

    static IOException of(String what, SessionException cause) {
        return of(SluiceException.of(what, cause));
    }

    static IOException of(SluiceException cause) {
        IOException e = switch (cause.code()) {
            case REFUSED -> new ConnectException("Connection refused: " + cause.getMessage());
            case TIMED_OUT -> new SocketTimeoutException(cause.getMessage());
            case UNREACHABLE -> new NoRouteToHostException(cause.getMessage());
            case ADDRESS -> new BindException(cause.getMessage());
            case RESET -> new SocketException("Connection reset: " + cause.getMessage());
            default -> new SocketException(cause.getMessage());
        };
        e.initCause(cause);
        return e;
    }

    static SocketException closed() {
        return new SocketException("Socket closed");
    }
}
