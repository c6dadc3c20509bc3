package io.sluice.core.l4;

/**
 * The built-in UDP echo service (RFC 862): bound like a socket, but answered by udp4-input on the worker that
 * received the datagram, in place (addresses and ports swapped), with no queue and no copy. Closing it unbinds it.
 */
public final class UdpEchoService extends UdpReceiver implements AutoCloseable {

    /** The well-known echo port (RFC 862). */
    public static final int ECHO_PORT = 7;

    private final UdpPortTable table;

    UdpEchoService(UdpPortTable table, int localAddress, int localPort) {
        super(localAddress, localPort);
        this.table = table;
    }

    /** Stops answering: unbinds the port. */
    @Override
    public void close() {
        table.unbind(localAddress(), localPort(), this);
    }

    @Override
    public String toString() {
        return "UDP echo on " + localEndpoint();
    }
}
