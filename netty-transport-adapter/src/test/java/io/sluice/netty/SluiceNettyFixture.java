package io.sluice.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.sluice.comms.Sluice;
import io.sluice.core.config.StackConfig;
import io.sluice.core.config.VclConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * An embedded stack (no interfaces: every connection is cut through, to 127.0.0.1, the stack's loopback) and event
 * loop groups over it, made and torn down for one test.
 */
final class SluiceNettyFixture implements AutoCloseable {

    static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress("127.0.0.1", 0);

    final Sluice sluice;
    /** Every handler the groups made, in order. */
    final List<SluiceIoHandler> handlers = new CopyOnWriteArrayList<>();
    private final List<EventLoopGroup> groups = new CopyOnWriteArrayList<>();

    SluiceNettyFixture(Path dir, String name) throws Exception {
        StackConfig startup = StackConfig.parse(name, """
                unix { cli-listen %s }
                session { use-app-socket-api app-socket-api %s }
                cpu { workers 1 }
                buffers { buffers-per-numa 4096 }
                """.formatted(dir.resolve("cli.sock"), dir.resolve("app.sock")));
        sluice = Sluice.embedded(name, startup, VclConfig.defaults());
    }

    /** @return a group of {@code threads} loops over the stack, closed with the fixture */
    MultiThreadIoEventLoopGroup group(int threads) {
        return group(threads, SluiceIoHandler.newFactory(sluice));
    }

    /** @return a group whose handlers come from {@code factory}, kept in {@link #handlers} */
    MultiThreadIoEventLoopGroup group(int threads, IoHandlerFactory factory) {
        IoHandlerFactory recording = executor -> {
            IoHandler handler = factory.newHandler(executor);
            handlers.add((SluiceIoHandler) handler);
            return handler;
        };
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, recording);
        groups.add(group);
        return group;
    }

    /** Binds a server on 127.0.0.1 with a port the stack picks. */
    static Channel bind(EventLoopGroup boss, EventLoopGroup children, ChannelHandler childHandler) throws Exception {
        return new ServerBootstrap().group(boss, children).channel(SluiceServerSocketChannel.class)
                .childHandler(childHandler).bind(LOOPBACK_ANY_PORT).sync().channel();
    }

    /** @return a client bootstrap on {@code group} */
    static Bootstrap client(EventLoopGroup group, ChannelHandler handler) {
        return new Bootstrap().group(group).channel(SluiceSocketChannel.class).handler(handler);
    }

    @Override
    public void close() {
        for (EventLoopGroup group : groups) {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS);
        }
        for (EventLoopGroup group : groups) {
            group.terminationFuture().awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
        sluice.close();
    }
}
