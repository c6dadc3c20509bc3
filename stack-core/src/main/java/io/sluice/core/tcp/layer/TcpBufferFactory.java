package io.sluice.core.tcp.layer;

/**
 * Where connections get their buffers and give them back. For a listener it is called on the worker that
 * receives a SYN (so it must be thread-safe and quick); for an active open on the thread that calls connect.
 */
public interface TcpBufferFactory {

    /** Buffers for a new connection, or null when none can be had (the SYN is dropped, the connect fails). */
    TcpBuffers allocate();

    /**
     * The capacity of the receive buffers {@link #allocate} makes. A listener under a SYN flood answers with a SYN
     * cookie before any buffer exists, and must announce the window scale the connection will use.
     */
    int receiveCapacity();

    /**
     * Takes back the buffers of a connection that no longer uses them — at CLOSED, or when TIME-WAIT begins — on
     * its worker, after {@link TcpEvents#onClosed}. The transport is done with them; the application may still be
     * reading what was received, so the owner frees the memory once the application is done too.
     */
    void release(TcpBuffers buffers);
}
