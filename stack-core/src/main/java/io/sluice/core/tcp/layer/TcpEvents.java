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
     * The connection is gone ({@link TcpFlow#closeCause()} says why: orderly, reset, refused, timed out, aborted,
     * or a local failure). Its buffers are released to their factory after this returns.
     */
    default void onClosed(TcpFlow flow) {
    }
}
