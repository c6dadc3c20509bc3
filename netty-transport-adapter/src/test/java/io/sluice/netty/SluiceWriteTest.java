package io.sluice.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The write path: a file region sent from a file, and writability following the water marks. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SluiceWriteTest extends SluiceNettyTestBase {

    private EventLoopGroup group;

    @BeforeEach
    void startGroup() {
        group = fixture.group(2);
    }

    @Test
    void aFileRegionOfATempFileArrivesWhole() throws Exception {
        byte[] content = new byte[3 << 20];
        new Random(7).nextBytes(content);
        Path file = dir.resolve("region.bin");
        Files.write(file, content);
        CRC32 expected = new CRC32();
        expected.update(content, 1000, content.length - 1000);

        Channel server = SluiceNettyFixture.bind(group, group, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                // From offset 1000 to the end, then close.
                ctx.writeAndFlush(new DefaultFileRegion(file.toFile(), 1000, content.length - 1000))
                        .addListener(ChannelFutureListener.CLOSE);
            }
        });
        CRC32 received = new CRC32();
        long[] bytes = new long[1];
        CompletableFuture<Void> ended = new CompletableFuture<>();
        SluiceNettyFixture.client(group, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf buf = (ByteBuf) msg;
                received.update(buf.nioBuffer());
                bytes[0] += buf.readableBytes();
                buf.release();
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                ended.complete(null);
            }
        }).connect("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort()).sync();
        ended.get(30, TimeUnit.SECONDS);
        assertEquals(content.length - 1000, bytes[0], "every byte of the region");
        assertEquals(expected.getValue(), received.getValue(), "the region's bytes, in order");
        server.close().sync();
    }

    @Test
    void writabilityFollowsTheWaterMarksAsThePeerStopsAndResumesReading() throws Exception {
        AtomicReference<Channel> child = new AtomicReference<>();
        CompletableFuture<Void> childActive = new CompletableFuture<>();
        long[] drained = new long[1];
        Channel server = new io.netty.bootstrap.ServerBootstrap().group(group).channel(SluiceServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        child.set(ctx.channel());
                        childActive.complete(null);
                    }

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        drained[0] += ((ByteBuf) msg).readableBytes();
                        ((ByteBuf) msg).release();
                    }
                }).bind(SluiceNettyFixture.LOOPBACK_ANY_PORT).sync().channel();

        List<Boolean> changes = new CopyOnWriteArrayList<>();
        Channel client = SluiceNettyFixture.client(group, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                changes.add(ctx.channel().isWritable());
            }
        }).option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(8 * 1024, 32 * 1024))
                .connect("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort()).sync().channel();
        childActive.get(10, TimeUnit.SECONDS);
        int fifo = ((SluiceSocketChannel) client).config().getSendBufferSize();
        assertTrue(fifo > 0, "SO_SNDBUF reports the send FIFO: " + fifo);

        // The peer does not read: its FIFO and ours fill, then the outbound buffer passes the high water mark.
        byte[] chunk = new byte[16 * 1024];
        long written = 0;
        long limit = 64L * fifo + (64 << 20);
        while (written < limit) {
            boolean[] writable = new boolean[1];
            client.eventLoop().submit(() -> {
                writable[0] = client.isWritable();
                if (writable[0]) {
                    client.writeAndFlush(Unpooled.wrappedBuffer(chunk));
                }
            }).sync();
            if (!writable[0]) {
                break;
            }
            written += chunk.length;
        }
        assertFalse(client.isWritable(), "unwritable once the peer stopped reading (" + written + " bytes written)");
        assertEquals(List.of(false), changes, "one change: to unwritable");

        child.get().config().setAutoRead(true);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (drained[0] < written && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(written, drained[0], "the peer read everything once it resumed");
        assertTrue(client.isWritable());
        assertEquals(List.of(false, true), changes, "writable again below the low water mark");
        client.close().sync();
        server.close().sync();
    }
}
