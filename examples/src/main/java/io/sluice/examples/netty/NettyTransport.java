package io.sluice.examples.netty;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.sluice.comms.Sluice;
import io.sluice.netty.SluiceIoHandler;
import io.sluice.netty.SluiceNetty;
import io.sluice.netty.SluiceServerSocketChannel;
import io.sluice.netty.SluiceSocketChannel;
import java.util.Arrays;
import java.util.Locale;

/**
 * The Netty transports the examples run on: the three things a Netty program changes to swap one for another (the
 * event loops' {@link IoHandlerFactory}, the server channel class and the client channel class). The handlers and
 * bootstraps of the examples are the same on all three.
 */
public enum NettyTransport {
    /** Sluice's transport: each event loop a comms-lib worker of an attached or embedded stack. */
    SLUICE(SluiceServerSocketChannel.class, SluiceSocketChannel.class),
    /** Netty's native epoll transport over kernel sockets. */
    EPOLL(EpollServerSocketChannel.class, EpollSocketChannel.class),
    /** Netty's NIO transport over kernel sockets (the JDK's selector). */
    NIO(NioServerSocketChannel.class, NioSocketChannel.class);

    private final Class<? extends ServerChannel> serverChannel;
    private final Class<? extends SocketChannel> socketChannel;

    NettyTransport(Class<? extends ServerChannel> serverChannel, Class<? extends SocketChannel> socketChannel) {
        this.serverChannel = serverChannel;
        this.socketChannel = socketChannel;
    }

    /** @return the name on the command line: sluice, epoll or nio */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param name sluice, epoll or nio
     * @return the transport
     * @throws IllegalArgumentException naming the choices for anything else
     */
    public static NettyTransport parse(String name) {
        for (NettyTransport t : values()) {
            if (t.cliName().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("--transport must be one of "
                + Arrays.stream(values()).map(NettyTransport::cliName).toList() + ", got '" + name + "'");
    }

    /** @return why this transport cannot run in this JVM, or null when it can */
    public String unavailabilityReason() {
        Throwable cause = switch (this) {
            case SLUICE -> SluiceNetty.unavailabilityCause();
            case EPOLL -> Epoll.unavailabilityCause();
            case NIO -> null;
        };
        return cause == null ? null : cliName() + " transport unavailable: " + cause.getMessage();
    }

    /**
     * @param sluice the application whose workers the loops become; used by {@link #SLUICE} only, and required there
     * @param busyPollMicros how long an idle Sluice loop polls before it sleeps (0: it sleeps at once); ignored by
     *     the kernel transports
     * @return the factory for a {@link io.netty.channel.MultiThreadIoEventLoopGroup}
     */
    public IoHandlerFactory ioHandlerFactory(Sluice sluice, int busyPollMicros) {
        return switch (this) {
            case SLUICE -> SluiceIoHandler.newFactory(sluice, busyPollMicros);
            case EPOLL -> EpollIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
        };
    }

    /** @return the server channel class for {@link io.netty.bootstrap.ServerBootstrap#channel} */
    public Class<? extends ServerChannel> serverChannel() {
        return serverChannel;
    }

    /** @return the client channel class for {@link io.netty.bootstrap.Bootstrap#channel} */
    public Class<? extends SocketChannel> socketChannel() {
        return socketChannel;
    }
}
