package io.sluice.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Bytes through the transport: an echo server and a client, both Sluice channels, cut through on one stack. */
@Timeout(value = 40, unit = TimeUnit.SECONDS)
class SluiceEchoTest extends SluiceNettyTestBase {


    /** Echoes what it reads and keeps a CRC of it. */
    static final class Echo extends ChannelInboundHandlerAdapter {
        final CRC32 crc = new CRC32();
        final AtomicLong bytes = new AtomicLong();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            crc.update(buf.nioBuffer());
            bytes.addAndGet(buf.readableBytes());
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }

    /** Keeps a CRC of what comes back and completes when {@code expected} bytes did. */
    static final class Collect extends ChannelInboundHandlerAdapter {
        final CRC32 crc = new CRC32();
        final long expected;
        long bytes;
        final CompletableFuture<Long> done = new CompletableFuture<>();

        Collect(long expected) {
            this.expected = expected;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            crc.update(buf.nioBuffer());
            bytes += buf.readableBytes();
            buf.release();
            if (bytes >= expected) {
                done.complete(crc.getValue());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.completeExceptionally(new IllegalStateException("closed after " + bytes + " bytes"));
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private void echo(EventLoopGroup boss, EventLoopGroup children, EventLoopGroup clients, int size)
            throws Exception {
        Echo serverSide = new Echo();
        Channel server = SluiceNettyFixture.bind(boss, children, serverSide);
        int port = ((java.net.InetSocketAddress) server.localAddress()).getPort();
        assertNotEquals(0, port, "port 0 picked a real port");

        byte[] payload = random(size, 42);
        CRC32 sent = new CRC32();
        sent.update(payload);
        Collect collect = new Collect(size);
        Channel client = SluiceNettyFixture.client(clients, collect)
                .connect("127.0.0.1", port).sync().channel();
        assertTrue(((SluiceSocketChannel) client).isCutThrough(), "127.0.0.1 is the stack's loopback: cut through");
        for (int at = 0; at < size; at += 65536) {
            client.write(Unpooled.wrappedBuffer(payload, at, Math.min(65536, size - at)));
        }
        client.flush();
        long back = collect.done.get(60, TimeUnit.SECONDS);
        assertEquals(sent.getValue(), back, "what came back is what was sent");
        assertEquals(size, serverSide.bytes.get(), "the server read every byte");
        assertEquals(sent.getValue(), serverSide.crc.getValue(), "the server read what was sent");
        client.close().sync();
        server.close().sync();
    }

    @Test
    void fourMebibytesEchoWithBossAndChildOnOneLoop() throws Exception {
        EventLoopGroup group = fixture.group(1);
        echo(group, group, group, 4 << 20);
    }

    @Test
    void fourMebibytesEchoWithChildrenOnOtherLoopsThanTheirAcceptor() throws Exception {
        EventLoopGroup boss = fixture.group(1);
        EventLoopGroup children = fixture.group(2);
        EventLoopGroup clients = fixture.group(1);
        echo(boss, children, clients, 4 << 20);
    }

    @Test
    void autoReadOffReadsOnlyWhenAskedAndOnAgainReadsEverything() throws Exception {
        EventLoopGroup group = fixture.group(2);
        AtomicInteger reads = new AtomicInteger();
        AtomicLong bytes = new AtomicLong();
        CountDownLatch connected = new CountDownLatch(1);
        Channel[] child = new Channel[1];
        Channel server = new io.netty.bootstrap.ServerBootstrap().group(group).channel(SluiceServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        child[0] = ctx.channel();
                        connected.countDown();
                    }

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        reads.incrementAndGet();
                        bytes.addAndGet(((ByteBuf) msg).readableBytes());
                        ((ByteBuf) msg).release();
                    }
                }).bind(SluiceNettyFixture.LOOPBACK_ANY_PORT).sync().channel();
        int port = ((java.net.InetSocketAddress) server.localAddress()).getPort();
        Channel client = SluiceNettyFixture.client(group, new ChannelInboundHandlerAdapter())
                .connect("127.0.0.1", port).sync().channel();
        assertTrue(connected.await(10, TimeUnit.SECONDS));
        client.writeAndFlush(Unpooled.wrappedBuffer(random(1000, 1))).sync();
        Thread.sleep(200);
        assertEquals(0, reads.get(), "auto-read off: nothing is read until asked");

        child[0].read();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (bytes.get() < 1000 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(1000, bytes.get(), "one read() delivers what is there");
        int readsAfterOne = reads.get();

        client.writeAndFlush(Unpooled.wrappedBuffer(random(500, 2))).sync();
        Thread.sleep(200);
        assertEquals(readsAfterOne, reads.get(), "auto-read still off: the next bytes wait");
        assertFalse(child[0].config().isAutoRead());

        child[0].config().setAutoRead(true);
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (bytes.get() < 1500 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(1500, bytes.get(), "auto-read on again: the waiting bytes are read");
        client.writeAndFlush(Unpooled.wrappedBuffer(random(300, 3))).sync();
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (bytes.get() < 1800 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(1800, bytes.get(), "and the next ones without asking");
        client.close().sync();
        server.close().sync();
    }
}
