package io.sluice.comms.net;

import io.sluice.comms.Sluice;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.Objects;
import javax.net.SocketFactory;

/**
 * Hands out {@link SluiceSocket}s: give it to any client library that takes a {@link SocketFactory} and its
 * connections go through the Sluice stack. Libraries that connect themselves call {@link #createSocket()}.
 */
public final class SluiceSocketFactory extends SocketFactory {

    private final Sluice sluice;

    /** @param sluice the attached application whose sessions the sockets are */
    public SluiceSocketFactory(Sluice sluice) {
        this.sluice = Objects.requireNonNull(sluice, "sluice");
    }

    @Override
    public Socket createSocket() throws SocketException {
        return new SluiceSocket(sluice);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return new SluiceSocket(sluice, host, port);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return new SluiceSocket(sluice, host, port);
    }

    /** Connects from {@code localAddress}; {@code localPort} must be 0 (the stack picks connecting ports). */
    @Override
    public Socket createSocket(String host, int port, InetAddress localAddress, int localPort) throws IOException {
        return connectFrom(new InetSocketAddress(host, port), localAddress, localPort);
    }

    /** Connects from {@code localAddress}; {@code localPort} must be 0 (the stack picks connecting ports). */
    @Override
    public Socket createSocket(InetAddress host, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return connectFrom(new InetSocketAddress(host, port), localAddress, localPort);
    }

    private Socket connectFrom(InetSocketAddress remote, InetAddress localAddress, int localPort) throws IOException {
        SluiceSocket socket = new SluiceSocket(sluice);
        try {
            socket.bind(new InetSocketAddress(localAddress, localPort));
            socket.connect(remote);
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }
}
