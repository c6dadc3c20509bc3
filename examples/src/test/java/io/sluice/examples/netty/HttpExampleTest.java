package io.sluice.examples.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.sluice.comms.Sluice;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The HTTP server example: on NIO and epoll exercised by the JDK's HttpClient and raw sockets over kernel loopback;
 * on Sluice (embedded, cut through on 127.0.0.1) by a Netty HTTP client on {@code SluiceSocketChannel}.
 */
class HttpExampleTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = NettyTransport.class, names = {"NIO", "EPOLL"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void servesTheJdkHttpClientOnKernelTransports(NettyTransport transport) throws Exception {
        assumeTrue(transport.unavailabilityReason() == null, transport.unavailabilityReason());
        try (NettyLoops loops = NettyLoops.kernel(transport)) {
            EventLoopGroup group = loops.group(2);
            Channel server = HttpServer.start(loops, group, group, new InetSocketAddress("127.0.0.1", 0));
            AtomicInteger accepted = countAccepted(server);
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            URI base = URI.create("http://127.0.0.1:" + port);
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT)
                    .build();
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> hello = client.send(HttpRequest.newBuilder(base.resolve("/")).timeout(TIMEOUT)
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, hello.statusCode());
                assertEquals(HttpServer.GREETING, hello.body());
            }
            byte[] body = randomBytes(1 << 20);
            HttpResponse<byte[]> echo = client.send(HttpRequest.newBuilder(base.resolve("/echo")).timeout(TIMEOUT)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, echo.statusCode());
            assertArrayEquals(body, echo.body(), "the 1 MiB body came back as sent");
            HttpResponse<String> missing = client.send(HttpRequest.newBuilder(base.resolve("/nope")).timeout(TIMEOUT)
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, missing.statusCode());
            HttpResponse<String> wrongMethod = client.send(HttpRequest.newBuilder(base.resolve("/echo"))
                    .timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, wrongMethod.statusCode());
            assertEquals("POST", wrongMethod.headers().firstValue("allow").orElse(null));
            assertEquals(1, accepted.get(), "six requests in turn, one kept-alive connection");

            assertRawExchange(port, "THIS IS NOT HTTP\r\n\r\n", "400", true);
            // An HTTP/1.0 request without keep-alive is answered and the connection closed.
            assertRawExchange(port, "GET / HTTP/1.0\r\n\r\n", "200", true);
            // Too large a body is refused before it is sent; the aggregator keeps a kept-alive connection open.
            assertRawExchange(port, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: "
                    + (HttpServer.MAX_BODY_BYTES + 1) + "\r\n\r\n", "413", false);
            server.close().sync();
        }
    }

    /**
     * Sends {@code request} on a socket of its own and checks the status of the answer; with {@code closes}, also
     * that the server then closes the connection (the read ends, rather than timing out).
     */
    private static void assertRawExchange(int port, String request, String status, boolean closes)
            throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (head.indexOf("\r\n\r\n") < 0) {
                int b = in.read();
                assertTrue(b >= 0, "the connection ended inside the answer's head: " + head);
                head.append((char) b);
            }
            assertTrue(head.toString().matches("(?s)HTTP/1\\.[01] " + status + " .*"), head.toString());
            if (closes) {
                in.readAllBytes(); // the body, then end of stream; a connection left open times out here
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void servesANettyClientOnSluiceCutThrough() throws Exception {
        try (Sluice sluice = EmbeddedSluice.start(dir, "http-test");
                NettyLoops loops = NettyLoops.onSluice(sluice, 0)) {
            EventLoopGroup group = loops.group(2);
            Channel server = HttpServer.start(loops, group, group, new InetSocketAddress("127.0.0.1", 0));
            AtomicInteger accepted = countAccepted(server);
            BlockingQueue<FullHttpResponse> responses = new LinkedBlockingQueue<>();
            Channel client = loops.client(group).handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(4 << 20),
                            new SimpleChannelInboundHandler<FullHttpResponse>() {
                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
                                    responses.add(response.retain());
                                }
                            });
                }
            }).connect(server.localAddress()).sync().channel();
            try {
                FullHttpResponse hello = exchange(client, responses, HttpMethod.GET, "/", new byte[0]);
                assertEquals(200, hello.status().code());
                assertEquals(HttpServer.GREETING, hello.content().toString(StandardCharsets.UTF_8));
                hello.release();

                byte[] body = randomBytes(1 << 20);
                FullHttpResponse echo = exchange(client, responses, HttpMethod.POST, "/echo", body);
                assertEquals(200, echo.status().code());
                assertArrayEquals(body, ByteBufUtil.getBytes(echo.content()), "the 1 MiB body came back as sent");
                echo.release();

                FullHttpResponse missing = exchange(client, responses, HttpMethod.GET, "/missing", new byte[0]);
                assertEquals(404, missing.status().code());
                missing.release();
                assertTrue(client.isActive(), "the connection is kept alive");
                assertEquals(1, accepted.get(), "three requests on one connection");
            } finally {
                client.close().sync();
                server.close().sync();
            }
        }
    }

    private static FullHttpResponse exchange(Channel client, BlockingQueue<FullHttpResponse> responses,
            HttpMethod method, String path, byte[] body) throws Exception {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path,
                Unpooled.wrappedBuffer(body));
        request.headers().set(HttpHeaderNames.HOST, "127.0.0.1").setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        client.writeAndFlush(request).sync();
        FullHttpResponse response = responses.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(response != null, "an answer to " + method + " " + path + " within " + TIMEOUT);
        return response;
    }

    /** Counts the connections a server accepts: each passes through the server channel's pipeline as a message. */
    private static AtomicInteger countAccepted(Channel server) {
        AtomicInteger accepted = new AtomicInteger();
        server.pipeline().addFirst(new Counter(accepted));
        return accepted;
    }

    @ChannelHandler.Sharable
    private static final class Counter extends ChannelInboundHandlerAdapter {
        private final AtomicInteger count;

        Counter(AtomicInteger count) {
            this.count = count;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            count.incrementAndGet();
            ctx.fireChannelRead(msg);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }
}
