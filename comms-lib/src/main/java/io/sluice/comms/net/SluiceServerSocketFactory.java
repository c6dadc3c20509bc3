package io.sluice.comms.net;

import io.sluice.comms.Sluice;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Objects;
import javax.net.ServerSocketFactory;

/** Hands out {@link SluiceServerSocket}s, for servers that take a {@link ServerSocketFactory}. */
public final class SluiceServerSocketFactory extends ServerSocketFactory {

    private final Sluice sluice;

    /** @param sluice the attached application whose listeners the server sockets are */
    public SluiceServerSocketFactory(Sluice sluice) {
        this.sluice = Objects.requireNonNull(sluice, "sluice");
    }

    @Override
    public ServerSocket createServerSocket() {
        return new SluiceServerSocket(sluice);
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
        return new SluiceServerSocket(sluice, port, 50);
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
        return new SluiceServerSocket(sluice, port, backlog);
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
        return new SluiceServerSocket(sluice, port, backlog, address);
    }
}
