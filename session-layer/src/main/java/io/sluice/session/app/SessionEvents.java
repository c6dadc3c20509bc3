package io.sluice.session.app;

import io.sluice.session.msg.SessionStatus;

/**
 * What an {@link AppWorker} hears while it drains its queue ({@link AppWorker#poll}), after it has updated the
 * session's or listener's own state. Calls run on the worker's thread; every method has an empty default.
 */
public interface SessionEvents {

    /** A listener is bound ({@code status} OK) or was refused; {@code listener} is null when refused. */
    default void onBound(int context, AppListener listener, SessionStatus status) {
    }

    /** A connect completed ({@code status} OK) or failed; {@code session} is null when it failed. */
    default void onConnected(int context, AppSession session, SessionStatus status) {
    }

    /** A connection to {@code listener} arrived; it also waits in {@link AppListener#poll()}. */
    default void onAccepted(AppListener listener, AppSession session) {
    }

    /** The session's rx FIFO has new bytes. */
    default void onReadable(AppSession session) {
    }

    /** The session's tx FIFO has room again after it was full. */
    default void onWritable(AppSession session) {
    }

    /** The peer closed its side: reads return the buffered bytes, then end of stream. */
    default void onPeerClosed(AppSession session) {
    }

    /** The connection died (reset, timed out, aborted): {@code status} says why. */
    default void onReset(AppSession session, SessionStatus status) {
    }

    /** The stack freed the session after its close; the handle names nothing any more. */
    default void onCleanup(AppSession session) {
    }

    /** The stack refused a request it could not take ({@code requestType} is a {@code SessionMessage} type). */
    default void onError(int context, long handle, int requestType, SessionStatus status) {
    }
}
