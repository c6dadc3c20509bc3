package io.sluice.core.tcp.layer;

/**
 * What a connection's user hears. Every call runs on the connection's worker thread, in the middle of packet
 * processing: it must be quick, must not block and must not allocate in steady state (the session layer posts an
 * event to the application's queue and returns). Several events can follow one segment, in the order below.
 */
public interface TcpEvents {

    /** A connection of {@code listener} completed its handshake and waits in {@link TcpListener#accept()}. */
    default void onAcceptable(TcpListener listener) {
    }

    /**
     * A passive open completed its handshake on {@code flow}'s worker. A user that takes its connections where
     * they are made (the session layer: the flow's session must live on the flow's worker) returns true, and the
     * connection skips the accept queue ({@link #onAcceptable} is not raised for it). The default leaves it for
     * {@link TcpListener#accept()}.
     */
    default boolean onAccepted(TcpFlow flow) {
        return false;
    }

    /** An active open completed: the connection is ESTABLISHED (or beyond). */
    default void onEstablished(TcpFlow flow) {
    }

    /** New in-order bytes are in the receive buffer. */
    default void onReceived(TcpFlow flow) {
    }

    /** The peer acknowledged data: the send buffer has room again. */
    default void onSent(TcpFlow flow) {
    }

    /** The peer closed its side (FIN): after the buffered bytes, reads see end of stream. */
    default void onPeerClosed(TcpFlow flow) {
    }

    /**
     * The connection is closed for its user ({@link TcpFlow#closeCause()} says why: orderly, reset, refused, timed
     * out, aborted, or a local failure): at CLOSED, or already when TIME-WAIT begins, since no data can move any
     * more (the stack keeps the TIME-WAIT remnant in its table for 2 MSL on its own). The transport hands its
     * buffers back to their factory after this returns; bytes received and not yet read are still in them.
     */
    default void onClosed(TcpFlow flow) {
    }
}
