package io.edgeway.dataplane.warmup;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * The warm-up's h2 clients: h2c with prior knowledge on the plain listener, or h2 chosen by ALPN on the TLS one;
 * {@link #STREAMS} streams at a time per connection, each stream one request, whose end opens the next stream.
 * They count their answers on the {@link WarmupLoad} that started them and run on its loop.
 */
final class WarmupH2Clients {
    static final int STREAMS = 4;

    private final WarmupLoad load;

    WarmupH2Clients(WarmupLoad load) {
        this.load = load;
    }

    void connect(boolean overTls) {
        if (load.stopped()) {
            return;
        }
        new Bootstrap().group(load.group()).channel(load.channelClass()).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                if (overTls) {
                    ch.pipeline().addLast(load.tlsHandler(load.tls().h2(ch.alloc())));
                }
                ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build())
                        .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()))
                        .addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                for (int i = 0; i < STREAMS; i++) {
                                    openStream(ctx.channel(), i, overTls);
                                }
                                ctx.fireChannelActive();
                            }

                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ReferenceCountUtil.release(msg); // GOAWAY, SETTINGS, PING: nothing to do
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                load.reconnectSoon(() -> connect(overTls));
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                ctx.close();
                            }
                        });
            }
        }).connect("127.0.0.1", overTls ? load.tlsPort() : load.port()).addListener(f -> {
            if (!f.isSuccess()) {
                load.reconnectSoon(() -> connect(overTls));
            }
        });
    }

    /** One stream, one request; its end opens the next stream on the same connection. */
    private void openStream(Channel connection, int n, boolean overTls) {
        if (load.stopped() || !connection.isActive()) {
            return;
        }
        new Http2StreamChannelBootstrap(connection).handler(new SimpleChannelInboundHandler<Http2StreamFrame>() {
            private boolean ok;

            @Override
            protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame f) {
                if (f instanceof Http2HeadersFrame h && h.headers().status() != null) {
                    ok = "200".contentEquals(h.headers().status());
                }
                boolean end = f instanceof Http2HeadersFrame h ? h.isEndStream()
                        : f instanceof Http2DataFrame d && d.isEndStream();
                if (end) {
                    ctx.close();
                    if (overTls) {
                        load.answeredH2OverTls(ok);
                    }
                    if (load.answeredOne(ok)) {
                        load.next(() -> openStream(connection, n + STREAMS, overTls));
                    }
                }
            }
        }).open().addListener(f -> {
            if (!f.isSuccess()) {
                return; // the connection is going away; its channelInactive reconnects
            }
            Channel stream = (Channel) f.getNow();
            boolean post = WarmupRequests.isPost(n);
            stream.write(new DefaultHttp2HeadersFrame(WarmupRequests.h2(n, overTls), !post));
            if (post) {
                stream.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(WarmupRequests.POST_BODY), true));
            }
            stream.flush();
        });
    }
}
