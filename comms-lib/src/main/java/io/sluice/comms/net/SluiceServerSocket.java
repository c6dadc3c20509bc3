package io.sluice.comms.net;

import io.sluice.comms.Sluice;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;

/**
 * A {@link ServerSocket} listening on the Sluice stack: it accepts connections from the network (through TCP) and
 * from applications of the same stack (cut through shared memory), as {@link SluiceSocket}s. {@code SO_TIMEOUT}
 * bounds {@link #accept()}; {@link #close()} from another thread wakes a blocked accept.
 */
public class SluiceServerSocket extends ServerSocket {

    private final Sluice sluice;

    /**
     * An unbound server socket; {@link #bind} it.
     *
     * @param sluice the attached application
     */
    public SluiceServerSocket(Sluice sluice) {
        super(new SluiceServerSocketImpl(sluice));
        this.sluice = sluice;
    }

    /**
     * A server socket bound to {@code port} on every address of the stack.
     *
     * @param port the port, 0 for one the stack picks
     * @param backlog connections that may wait for accept (below 1: 50)
     */
    public SluiceServerSocket(Sluice sluice, int port, int backlog) throws IOException {
        this(sluice, port, backlog, null);
    }

    /**
     * A server socket bound to {@code port} on {@code address} (null: every address of the stack).
     *
     * @throws java.net.BindException when the port is taken or the address is not the stack's
     */
    public SluiceServerSocket(Sluice sluice, int port, int backlog, InetAddress address) throws IOException {
        this(sluice);
        try {
            bind(new InetSocketAddress(address, port), backlog);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public Socket accept() throws IOException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        if (!isBound()) {
            throw new SocketException("Socket is not bound yet");
        }
        SluiceSocket socket = new SluiceSocket(new SluiceSocketImpl(sluice));
        implAccept(socket);
        return socket;
    }

    @Override
    public String toString() {
        return isBound() ? "SluiceServerSocket[" + getLocalSocketAddress() + "]" : "SluiceServerSocket[unbound]";
    }
}
