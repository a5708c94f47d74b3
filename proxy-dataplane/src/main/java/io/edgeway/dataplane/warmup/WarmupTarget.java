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

/**
 * The warm-up's own upstream: a loopback HTTP/1.1 server that answers every request once its body has
 * arrived. Two answer shapes, so both of the relay's body paths get compiled: a fixed Content-Length, and
 * chunked when the path starts with {@code /chunked}.
 */
final class WarmupTarget implements AutoCloseable {
    private static final ByteBuf BODY = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(1024).writeBytes(filled(1024)));
    private final Channel server;

    private WarmupTarget(Channel server) {
        this.server = server;
    }

    static WarmupTarget bind(EventLoopGroup group, Class<? extends ServerSocketChannel> serverClass)
            throws InterruptedException {
        Channel ch = new ServerBootstrap().group(group).channel(serverClass)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        c.pipeline().addLast(new HttpServerCodec()).addLast(Answer.INSTANCE);
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        return new WarmupTarget(ch);
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

    /** Shared by every connection: the one per-request fact (chunked or not) lives in a channel attribute. */
    @ChannelHandler.Sharable
    private static final class Answer extends SimpleChannelInboundHandler<HttpObject> {
        static final Answer INSTANCE = new Answer();
        private static final io.netty.util.AttributeKey<Boolean> CHUNKED =
                io.netty.util.AttributeKey.valueOf("edgeway.warmup.chunked");

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpRequest req) {
                ctx.channel().attr(CHUNKED).set(req.uri().startsWith("/chunked"));
            }
            if (!(msg instanceof LastHttpContent)) {
                return;
            }
            HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
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
