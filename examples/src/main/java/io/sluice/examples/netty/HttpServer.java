package io.sluice.examples.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * {@code bin/sluice run http-server}: a Netty HTTP/1.1 server with keep-alive.
 * <ul>
 *   <li>{@code GET /} (and {@code HEAD /}): a small static text;</li>
 *   <li>{@code POST /echo}: the request body back, with the request's content type; bodies over
 *       {@link #MAX_BODY_BYTES} are refused with 413 by {@link HttpObjectAggregator}, so a request's memory is
 *       bounded;</li>
 *   <li>another method on those paths: 405; any other path: 404; a request the codec cannot parse (or with too long
 *       a line or headers): 400, and the connection closes.</li>
 * </ul>
 * Keep-alive is Netty's {@link HttpServerKeepAliveHandler}: connections stay open unless the request says otherwise
 * (HTTP/1.0 without {@code keep-alive}, or {@code Connection: close}).
 */
public final class HttpServer {

    /** The port when {@code --port} is not given. */
    public static final int DEFAULT_PORT = 8080;
    /** The largest body {@code POST /echo} takes; more is answered 413. */
    public static final int MAX_BODY_BYTES = 8 << 20;
    /** What {@code GET /} answers. */
    public static final String GREETING = "Hello from Netty!\n";

    private static final int MAX_INITIAL_LINE = 4096;
    private static final int MAX_HEADER_BYTES = 8192;
    private static final int MAX_CHUNK_BYTES = 64 << 10;

    private HttpServer() {}

    /**
     * Binds the server and waits until it listens.
     *
     * @param loops the transport
     * @param boss the group that accepts
     * @param children the group the connections run on
     * @param address where to listen (port 0: one the transport picks)
     * @return the bound server channel; close it to stop
     */
    public static Channel start(NettyLoops loops, EventLoopGroup boss, EventLoopGroup children,
            InetSocketAddress address) throws InterruptedException {
        return loops.server(boss, children).childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ChannelPipeline p = ch.pipeline();
                p.addLast(new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_BYTES, MAX_CHUNK_BYTES));
                p.addLast(new HttpServerKeepAliveHandler());
                p.addLast(new HttpObjectAggregator(MAX_BODY_BYTES));
                p.addLast(new Routes());
            }
        }).bind(address).sync().channel();
    }

    /** Answers one aggregated request; every answer has a Content-Length, so keep-alive can keep the connection. */
    static final class Routes extends SimpleChannelInboundHandler<FullHttpRequest> {
        /** The greeting's bytes, made once; each answer writes a duplicate of them. */
        private static final ByteBuf GREETING_BYTES = Unpooled.unreleasableBuffer(
                Unpooled.directBuffer().writeBytes(GREETING.getBytes(StandardCharsets.UTF_8)).asReadOnly());

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (!request.decoderResult().isSuccess()) {
                // The codec could not parse the request: what follows on the connection cannot be trusted either.
                FullHttpResponse response = text(request.protocolVersion(), HttpResponseStatus.BAD_REQUEST,
                        "bad request: " + request.decoderResult().cause().getMessage() + "\n");
                HttpUtil.setKeepAlive(response, false);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            String path = new QueryStringDecoder(request.uri()).path();
            HttpMethod method = request.method();
            FullHttpResponse response = switch (path) {
                case "/" -> method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD)
                        ? greeting(request) : notAllowed(request, "GET, HEAD");
                case "/echo" -> method.equals(HttpMethod.POST) ? echo(request) : notAllowed(request, "POST");
                default -> text(request.protocolVersion(), HttpResponseStatus.NOT_FOUND, "not found: " + path + "\n");
            };
            ctx.writeAndFlush(response);
        }

        private static FullHttpResponse greeting(FullHttpRequest request) {
            FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.OK,
                    request.method().equals(HttpMethod.HEAD) ? Unpooled.EMPTY_BUFFER : GREETING_BYTES.duplicate());
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN + "; charset=UTF-8")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, GREETING_BYTES.readableBytes());
            return response;
        }

        private static FullHttpResponse echo(FullHttpRequest request) {
            // The aggregated body goes back as it is: retained here, released by the encoder once written.
            ByteBuf body = request.content().retainedDuplicate();
            FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.OK,
                    body);
            String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE,
                    type != null ? type : HttpHeaderValues.APPLICATION_OCTET_STREAM)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            return response;
        }

        private static FullHttpResponse notAllowed(FullHttpRequest request, String allowed) {
            FullHttpResponse response = text(request.protocolVersion(), HttpResponseStatus.METHOD_NOT_ALLOWED,
                    request.method() + " is not allowed here; allowed: " + allowed + "\n");
            response.headers().set(HttpHeaderNames.ALLOW, allowed);
            return response;
        }

        private static FullHttpResponse text(HttpVersion version, HttpResponseStatus status, String text) {
            ByteBuf body = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(version, status, body);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN + "; charset=UTF-8")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            return response;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A reset or a failed write ends this connection only.
            ctx.close();
        }
    }
}
