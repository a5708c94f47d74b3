package io.edgeway.dataplane.warmup;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The warm-up's own upstream: a loopback HTTP/1.1 server that answers every request once its body has
 * arrived. Two answer shapes, so both of the relay's body paths get compiled: a fixed Content-Length, and
 * chunked when the path starts with {@code /chunked}; both with the header fields a web server such as nginx
 * sends with a static file, so the proxy's response head parsing sees what it sees from real targets.
 */
final class WarmupTarget implements AutoCloseable {
    private static final ByteBuf BODY = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(1024).writeBytes(filled(1024)));
    private final Channel server;
    private final Answer answer;

    private WarmupTarget(Channel server, Answer answer) {
        this.server = server;
        this.answer = answer;
    }

    static WarmupTarget bind(EventLoopGroup group, Class<? extends ServerSocketChannel> serverClass)
            throws InterruptedException {
        Answer answer = new Answer();
        Channel ch = new ServerBootstrap().group(group).channel(serverClass)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        c.pipeline().addLast(new HttpServerCodec()).addLast(answer);
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        return new WarmupTarget(ch, answer);
    }

    /** Requests that arrived with the X-Request-Id and traceparent the proxy adds (trace context on). */
    int requestsWithTraceContext() {
        return answer.traced.get();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
    }

    private static byte[] filled(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) 'w');
        return b;
    }

    /** Shared by the target's connections: the one per-request fact (chunked or not) lives in a channel attribute. */
    @ChannelHandler.Sharable
    private static final class Answer extends SimpleChannelInboundHandler<HttpObject> {
        private static final io.netty.util.AttributeKey<Boolean> CHUNKED =
                io.netty.util.AttributeKey.valueOf("edgeway.warmup.chunked");
        /** A fixed date: the value's shape is what matters to the proxy, not the time. */
        private static final String DATE = "Mon, 07 Dec 2026 10:00:00 GMT";
        private final AtomicInteger traced = new AtomicInteger();

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpRequest req) {
                ctx.channel().attr(CHUNKED).set(req.uri().startsWith("/chunked"));
                if (req.headers().contains("x-request-id") && req.headers().contains("traceparent")) {
                    traced.incrementAndGet();
                }
            }
            if (!(msg instanceof LastHttpContent)) {
                return;
            }
            HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            res.headers().set(HttpHeaderNames.SERVER, "nginx/1.22.1").set(HttpHeaderNames.DATE, DATE)
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                    .set(HttpHeaderNames.LAST_MODIFIED, DATE).set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE)
                    .set(HttpHeaderNames.ETAG, "\"6565a1b2-400\"").set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.BYTES);
            if (Boolean.TRUE.equals(ctx.channel().attr(CHUNKED).get())) {
                res.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
                ctx.write(res);
                ctx.write(new DefaultHttpContent(BODY.duplicate()));
                ctx.write(new DefaultHttpContent(BODY.duplicate()));
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            } else {
                res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, BODY.readableBytes());
                ctx.write(res);
                ctx.writeAndFlush(new DefaultLastHttpContent(BODY.duplicate()));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
