package io.sluice.comms.net;

import io.sluice.comms.Sluice;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;

/**
 * A {@link Socket} whose connection is a Sluice session: bytes go through the session's shared-memory FIFOs to
 * the stack (or, cut through, straight to another application of the same stack), never through a kernel socket.
 * It behaves as a blocking kernel socket does — connect with a timeout, {@code SO_TIMEOUT} on reads, streams that
 * end at the peer's FIN, half-close, {@link #close()} from any thread waking blocked readers and writers — so code
 * written for {@code java.net} works unchanged. Any thread may use it (see {@link SluiceSocketImpl}).
 *
 * <p>What differs from a kernel socket: IPv4 only; a connecting socket cannot bind a local port (only an address);
 * {@code SO_SNDBUF}/{@code SO_RCVBUF} report the FIFO sizes from the application's {@code vcl.conf} (setting them
 * changes nothing); {@code IP_TOS} and {@code SO_REUSEADDR} are kept but have no effect; no urgent data; no
 * {@link #getChannel() channel}.
 */
public class SluiceSocket extends Socket {

    /**
     * An unconnected socket of {@code sluice}'s application.
     *
     * @param sluice the attached application whose shared workers carry the connection
     */
    public SluiceSocket(Sluice sluice) throws SocketException {
        super(new SluiceSocketImpl(sluice));
    }

    /**
     * A socket connected to {@code address}:{@code port}, waiting as long as the stack tries.
     *
     * @throws IOException {@link java.net.ConnectException} when refused, and the like
     */
    public SluiceSocket(Sluice sluice, InetAddress address, int port) throws IOException {
        this(sluice);
        connectOrClose(new InetSocketAddress(address, port));
    }

    /**
     * A socket connected to {@code host}:{@code port} (the name resolved by the JDK's resolver).
     *
     * @throws IOException {@link java.net.UnknownHostException}, {@link java.net.ConnectException} and the like
     */
    public SluiceSocket(Sluice sluice, String host, int port) throws IOException {
        this(sluice);
        connectOrClose(new InetSocketAddress(host, port));
    }

    /** The accepting side's socket, made unconnected; {@link SluiceServerSocket#accept()} connects it. */
    SluiceSocket(SluiceSocketImpl impl) throws SocketException {
        super(impl);
    }

    private void connectOrClose(InetSocketAddress remote) throws IOException {
        try {
            connect(remote);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public String toString() {
        return isConnected() ? "SluiceSocket[" + getLocalSocketAddress() + " -> " + getRemoteSocketAddress() + "]"
                : "SluiceSocket[unconnected]";
    }
}
