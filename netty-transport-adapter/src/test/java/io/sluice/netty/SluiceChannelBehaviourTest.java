package io.sluice.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.sluice.comms.SluiceListener;
import io.sluice.core.wire.Ip4Address;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Half-closure, linger 0, and connects that fail: what Netty programs see, as with Netty's own transports. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SluiceChannelBehaviourTest extends SluiceNettyTestBase {

    private EventLoopGroup group;

    @BeforeEach
    void startGroup() {
        group = fixture.group(2);
    }

    /** Records what a server child sees, in order. */
    static final class Recorder extends ChannelInboundHandlerAdapter {
        final List<String> seen = new CopyOnWriteArrayList<>();
        final CompletableFuture<Channel> active = new CompletableFuture<>();
        final CompletableFuture<Void> inactive = new CompletableFuture<>();
        final CompletableFuture<Throwable> failure = new CompletableFuture<>();
        final StringBuilder text = new StringBuilder();

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            active.complete(ctx.channel());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            text.append(buf.toString(StandardCharsets.US_ASCII));
            buf.release();
            seen.add("read");
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == ChannelInputShutdownEvent.INSTANCE) {
                seen.add("input-shutdown");
            } else if (evt == ChannelInputShutdownReadComplete.INSTANCE) {
                seen.add("input-shutdown-read-complete");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            seen.add("exception");
            failure.complete(cause);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            seen.add("inactive");
            inactive.complete(null);
        }
    }

    private Channel server(Recorder recorder, boolean allowHalfClosure) throws Exception {
        return new io.netty.bootstrap.ServerBootstrap().group(group).channel(SluiceServerSocketChannel.class)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, allowHalfClosure)
                .childHandler(recorder).bind(SluiceNettyFixture.LOOPBACK_ANY_PORT).sync().channel();
    }

    private static int port(Channel server) {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    private static void awaitSeen(Recorder recorder, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!recorder.seen.contains(what) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    @Test
    void withHalfClosureTheServerSeesTheShutdownEventsAndStillAnswers() throws Exception {
        Recorder recorder = new Recorder();
        Channel server = server(recorder, true);
        Recorder clientSide = new Recorder();
        SluiceSocketChannel client = (SluiceSocketChannel) SluiceNettyFixture.client(group, clientSide)
                .connect("127.0.0.1", port(server)).sync().channel();
        client.writeAndFlush(Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII)).sync();
        client.shutdownOutput().sync();
        assertTrue(client.isOutputShutdown());
        assertFalse(client.isInputShutdown());

        SluiceSocketChannel child = (SluiceSocketChannel) recorder.active.get(10, TimeUnit.SECONDS);
        awaitSeen(recorder, "input-shutdown-read-complete");
        assertEquals(List.of("read", "input-shutdown", "input-shutdown-read-complete"), recorder.seen,
                "the bytes, then the input's shutdown, then that nothing more can be read");
        assertEquals("hello", recorder.text.toString());
        assertTrue(child.isInputShutdown(), "the child's input is shut");
        assertTrue(child.isActive() && child.isOpen(), "half-closure keeps the child open");

        child.writeAndFlush(Unpooled.copiedBuffer("bye", StandardCharsets.US_ASCII)).sync();
        child.close().sync();
        clientSide.inactive.get(10, TimeUnit.SECONDS);
        assertEquals("bye", clientSide.text.toString(), "the answer after the client's half-close arrived");
        assertFalse(clientSide.seen.contains("exception"), clientSide.seen.toString());
        server.close().sync();
    }

    @Test
    void withoutHalfClosureThePeersShutdownClosesTheChannel() throws Exception {
        Recorder recorder = new Recorder();
        Channel server = server(recorder, false);
        SluiceSocketChannel client = (SluiceSocketChannel) SluiceNettyFixture.client(group,
                new ChannelInboundHandlerAdapter()).connect("127.0.0.1", port(server)).sync().channel();
        client.writeAndFlush(Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII)).sync();
        client.shutdownOutput().sync();
        recorder.inactive.get(10, TimeUnit.SECONDS);
        assertEquals(List.of("read", "inactive"), recorder.seen, "read, then closed: no shutdown events");
        assertFalse(recorder.active.get().isOpen());
        client.close().sync();
        server.close().sync();
    }

    @Test
    void soLingerZeroResetsThePeerWhichGetsAnIoException() throws Exception {
        Recorder recorder = new Recorder();
        Channel server = server(recorder, false);
        Channel client = SluiceNettyFixture.client(group, new ChannelInboundHandlerAdapter())
                .option(ChannelOption.SO_LINGER, 0).connect("127.0.0.1", port(server)).sync().channel();
        recorder.active.get(10, TimeUnit.SECONDS);
        client.close().sync();
        Throwable cause = recorder.failure.get(10, TimeUnit.SECONDS);
        assertInstanceOf(IOException.class, cause);
        assertTrue(cause.getMessage().contains("reset"), cause.getMessage());
        recorder.inactive.get(10, TimeUnit.SECONDS);
        assertFalse(recorder.seen.contains("input-shutdown"), "a reset is not an orderly end of stream");
        server.close().sync();
    }

    @Test
    void aConnectToAPortNobodyListensOnIsRefused() throws Exception {
        ChannelFuture connect = SluiceNettyFixture.client(group, new ChannelInboundHandlerAdapter())
                .connect("127.0.0.1", 4999).await();
        assertFalse(connect.isSuccess());
        assertInstanceOf(ConnectException.class, connect.cause(), String.valueOf(connect.cause()));
        assertTrue(connect.cause().getMessage().contains("Connection refused"), connect.cause().getMessage());
        assertTrue(connect.cause().getMessage().contains("4999"), "names the address: " + connect.cause());
        assertTrue(connect.channel().closeFuture().await(5, TimeUnit.SECONDS),
                "the bootstrap closes a channel whose connect failed");
    }

    @Test
    void aConnectNobodyAnswersTimesOutAfterConnectTimeoutMillis() throws Exception {
        // A hand-off listener whose connections nobody claims: a cut-through connect to it waits for the claim.
        try (SluiceListener silent = fixture.sluice.listen(Ip4Address.parse("127.0.0.1").bits(), 0, 16, true)) {
            long start = System.nanoTime();
            ChannelFuture connect = SluiceNettyFixture.client(group, new ChannelInboundHandlerAdapter())
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 300)
                    .connect("127.0.0.1", silent.port()).await();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertFalse(connect.isSuccess());
            assertInstanceOf(ConnectTimeoutException.class, connect.cause(), String.valueOf(connect.cause()));
            assertTrue(millis >= 290 && millis < 5_000, "timed out after " + millis + " ms");
            assertTrue(connect.channel().closeFuture().await(5, TimeUnit.SECONDS), "the timed-out channel closes");
        }
    }

    @Test
    void anIp6AddressIsRefusedSayingIp4Only() throws Exception {
        ChannelFuture connect = SluiceNettyFixture.client(group, new ChannelInboundHandlerAdapter())
                .connect(new InetSocketAddress("::1", 80)).await();
        assertFalse(connect.isSuccess());
        assertTrue(connect.cause().getMessage().contains("IPv4 only"), String.valueOf(connect.cause()));
    }
}
