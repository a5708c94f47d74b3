package io.edgeway.dataplane;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One HTTP/2 client connection that opens as many streams as a test asks for without waiting for answers:
 * h2c with prior knowledge, or h2 chosen by ALPN when given a TLS context. Counts the streams answered in full.
 */
final class H2StreamsClient implements AutoCloseable {
    final AtomicInteger finished = new AtomicInteger();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;
    private final String scheme;

    /** @param tls a client context offering ALPN "h2", or {@code null} for h2c with prior knowledge */
    H2StreamsClient(int port, SslContext tls) throws InterruptedException {
        scheme = tls == null ? "http" : "https";
        channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), "localhost", port));
                        }
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build())
                                .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                })
                .connect("127.0.0.1", port).sync().channel();
    }

    /** Opens a stream with a GET (no body) and returns once its HEADERS are written. */
    void get(String authority, String path) throws InterruptedException {
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(channel).handler(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof Http2StreamFrame f && isEndOfStream(f)) {
                    finished.incrementAndGet();
                }
                ReferenceCountUtil.release(msg);
            }
        }).open().sync().getNow();
        stream.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers()
                .method("GET").scheme(scheme).authority(authority).path(path), true)).sync();
    }

    private static boolean isEndOfStream(Http2StreamFrame f) {
        return f instanceof io.netty.handler.codec.http2.Http2HeadersFrame h ? h.isEndStream()
                : f instanceof io.netty.handler.codec.http2.Http2DataFrame d && d.isEndStream();
    }

    @Override
    public void close() throws InterruptedException {
        channel.close().sync();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    }
}
