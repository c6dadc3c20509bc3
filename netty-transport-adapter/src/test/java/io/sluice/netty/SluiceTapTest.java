package io.sluice.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.AttributeKey;
import io.sluice.comms.TapStack;
import io.sluice.core.wire.Ip4Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transport through TCP: the stack embedded with a TAP whose Linux side is in a namespace the stack makes, one
 * end a Netty channel on Sluice, the other the kernel (Python) in the namespace. Needs root and /dev/net/tun
 * (skipped with the reason otherwise). Subnet 198.18.16.0/24.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SluiceTapTest {

    private static final int SERVER_PORT = 7100;
    private static final int KERNEL_ECHO_PORT = 7101;

    @TempDir
    Path dir;

    private TapStack stack;
    private EventLoopGroup group;

    @BeforeEach
    void start() throws Exception {
        stack = TapStack.startOrSkip("netty-tap", dir, "198.18.16", "snt");
        group = new MultiThreadIoEventLoopGroup(2, SluiceIoHandler.newFactory(stack.sluice()));
    }

    @AfterEach
    void stop() {
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
        if (stack != null) {
            stack.close();
        }
    }

    /**
     * A Netty echo server on Sluice; a kernel client sends 4 MiB and its FIN, and must read the same bytes back and
     * then the server's FIN (half-closure: the server sees the input end, closes after its writes drained).
     */
    @Test
    void kernelClientEchoesThroughNettyServerOnSluice() throws Exception {
        CompletableFuture<Long> serverCrc = new CompletableFuture<>();
        Channel server = new ServerBootstrap().group(group).channel(SluiceServerSocketChannel.class)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new HalfClosingEcho(serverCrc))
                .bind(new InetSocketAddress(Ip4Address.format(stack.stackAddress()), SERVER_PORT)).sync().channel();
        try {
            int length = 4 << 20;
            String client = "import socket, zlib, threading\n"
                    + "data = bytes((i * 7 + 3) & 0xff for i in range(" + length + "))\n"
                    + "s = socket.create_connection(('" + Ip4Address.format(stack.stackAddress()) + "', "
                    + SERVER_PORT + "), timeout=30)\n"
                    + "def send():\n"
                    + "    s.sendall(data); s.shutdown(socket.SHUT_WR)\n"
                    + "t = threading.Thread(target=send); t.start()\n"
                    + "got = bytearray()\n"
                    + "while True:\n"
                    + "    b = s.recv(65536)\n"
                    + "    if not b: break\n"
                    + "    got += b\n"
                    + "t.join()\n"
                    + "print(len(got), zlib.crc32(got), zlib.crc32(data), flush=True)\n";
            Process process = new ProcessBuilder(stack.inNamespace("python3", "-c", client))
                    .redirectErrorStream(true).start();
            try {
                assertTrue(process.waitFor(45, TimeUnit.SECONDS), "the kernel client did not finish");
                String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                String[] words = out.split("\\s+");
                assertEquals(3, words.length, () -> "kernel client said: " + out);
                assertEquals(Integer.toString(length), words[0], "bytes the kernel read back");
                assertEquals(words[2], words[1], "CRC-32 of what came back against what was sent");
                assertEquals(Long.parseLong(words[2]), serverCrc.get(10, TimeUnit.SECONDS),
                        "CRC-32 of what the Netty server read");
            } finally {
                process.destroyForcibly();
            }
        } finally {
            server.close().sync();
        }
    }

    /** A Netty client on Sluice connects to a kernel echo server and reads back 4 MiB it wrote, in order. */
    @Test
    void nettyClientOnSluiceEchoesThroughKernelServer() throws Exception {
        Process echo = stack.startKernelEcho(KERNEL_ECHO_PORT);
        try {
            int length = 4 << 20;
            byte[] data = new byte[length];
            for (int i = 0; i < length; i++) {
                data[i] = (byte) (i * 13 + 5);
            }
            CompletableFuture<Long> received = new CompletableFuture<>();
            Channel client = new Bootstrap().group(group).channel(SluiceSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new Collector(length, received))
                    .connect(new InetSocketAddress(Ip4Address.format(stack.kernelAddress()), KERNEL_ECHO_PORT))
                    .sync().channel();
            assertEquals(stack.stackAddress(), Ip4Address.parse(
                    ((InetSocketAddress) client.localAddress()).getAddress().getHostAddress()).bits(),
                    "the connection's source is the stack's TAP address");
            for (int off = 0; off < length; off += 65536) {
                client.write(Unpooled.wrappedBuffer(data, off, Math.min(65536, length - off)));
            }
            client.flush();
            assertEquals(crc(data, length), received.get(30, TimeUnit.SECONDS), "CRC-32 of the echo");
            client.close().sync();
            assertTrue(echo.waitFor(10, TimeUnit.SECONDS), "the kernel echo server saw the close and ended");
        } finally {
            echo.destroyForcibly();
        }
    }

    private static long crc(byte[] data, int length) {
        CRC32 crc = new CRC32();
        crc.update(data, 0, length);
        return crc.getValue();
    }

    /** Echoes, keeps a CRC of what it read; at the peer's FIN, closes once its writes are out. */
    private static final class HalfClosingEcho extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<Long> crcOfInput;

        HalfClosingEcho(CompletableFuture<Long> crcOfInput) {
            this.crcOfInput = crcOfInput;
        }

        @Override
        public boolean isSharable() {
            return true;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.channel().attr(CrcHolder.KEY).set(new CrcHolder());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            ctx.channel().attr(CrcHolder.KEY).get().update(buf);
            ctx.write(buf);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == ChannelInputShutdownEvent.INSTANCE) {
                crcOfInput.complete(ctx.channel().attr(CrcHolder.KEY).get().crc.getValue());
                assertTrue(((DuplexChannel) ctx.channel()).isInputShutdown());
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            crcOfInput.completeExceptionally(cause);
            ctx.close();
        }
    }

    /** A running CRC-32 per channel. */
    private static final class CrcHolder {
        static final AttributeKey<CrcHolder> KEY = AttributeKey.valueOf("sluice-crc");
        final CRC32 crc = new CRC32();

        void update(ByteBuf buf) {
            crc.update(buf.nioBuffer());
        }
    }

    /** Collects {@code expected} bytes into a CRC and completes with it. */
    private static final class Collector extends ChannelInboundHandlerAdapter {
        private final int expected;
        private final CompletableFuture<Long> done;
        private final CRC32 crc = new CRC32();
        private int seen;

        Collector(int expected, CompletableFuture<Long> done) {
            this.expected = expected;
            this.done = done;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                byte[] chunk = new byte[buf.readableBytes()];
                buf.readBytes(chunk);
                crc.update(chunk);
                seen += chunk.length;
                if (seen >= expected) {
                    done.complete(crc.getValue());
                }
            } finally {
                buf.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
            ctx.close();
        }
    }
}
