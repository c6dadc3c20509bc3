package io.sluice.examples.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;

/**
 * {@code bin/sluice run echo-server}: a Netty server that writes every byte it reads back to its sender. The same
 * handler runs on every transport; only the loops and the channel class differ ({@link NettyLoops}).
 */
public final class EchoServer {

    /** The port when {@code --port} is not given. */
    public static final int DEFAULT_PORT = 7007;

    private EchoServer() {}

    /**
     * Writes what it reads back and flushes once per read burst (Netty's {@code channelReadComplete}), so a stream of
     * small reads costs one flush, and a 64-byte request one write and one flush.
     */
    @ChannelHandler.Sharable
    static final class EchoHandler extends ChannelInboundHandlerAdapter {
        static final EchoHandler INSTANCE = new EchoHandler();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A peer that resets is routine for a server: drop the connection, keep serving the others.
            ctx.close();
        }
    }

    /**
     * Binds an echo server and waits until it listens.
     *
     * @param loops the transport
     * @param boss the group that accepts
     * @param children the group the connections run on
     * @param address where to listen (port 0: one the transport picks)
     * @return the bound server channel; close it to stop
     */
    public static Channel start(NettyLoops loops, EventLoopGroup boss, EventLoopGroup children,
            InetSocketAddress address) throws InterruptedException {
        return loops.server(boss, children).childHandler(EchoHandler.INSTANCE).bind(address).sync().channel();
    }
}
