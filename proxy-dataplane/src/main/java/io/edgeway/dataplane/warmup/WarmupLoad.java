package io.edgeway.dataplane.warmup;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The synthetic clients: a few HTTP/1.1 keep-alive connections and a few h2c (prior knowledge) connections
 * with several streams each, all sending one request after another to the warm-up listener until {@link #stop}. The mix (GET, chunked answers, POST with a body; HTTP/1.1 and h2) is what a proxy
 * does most, so those paths are the ones compiled. Everything runs on the warm-up's own event loop.
 */
final class WarmupLoad {
    static final String HOST = "warmup.edgeway.invalid";
    private static final int H1_CONNECTIONS = 4;
    private static final int H2_CONNECTIONS = 2;
    private static final int STREAMS_PER_H2 = 4;
    private static final byte[] POST_BODY = "warm=up&".repeat(64).getBytes(StandardCharsets.US_ASCII);

    private final EventLoopGroup group;
    private final Class<? extends SocketChannel> channelClass;
    private final int port;
    private final AtomicInteger answered = new AtomicInteger();
    /** Answers other than 200: the warm-up's pipeline is broken (logged at the end; readiness is not held). */
    private final AtomicInteger failed = new AtomicInteger();
    private volatile boolean stopped;

    WarmupLoad(EventLoopGroup group, Class<? extends SocketChannel> channelClass, int port) {
        this.group = group;
        this.channelClass = channelClass;
        this.port = port;
    }

    void start() {
        for (int i = 0; i < H1_CONNECTIONS; i++) {
            connectH1();
        }
        for (int i = 0; i < H2_CONNECTIONS; i++) {
            connectH2();
        }
    }

    void stop() {
        stopped = true;
    }

    int answered() {
        return answered.get();
    }

    int failed() {
        return failed.get();
    }

    /** One answer more; false once the warm-up is over (the caller then sends nothing more). */
    private boolean answeredOne(boolean ok) {
        if (!ok) {
            failed.incrementAndGet();
        }
        answered.incrementAndGet();
        return !stopped;
    }

    /** Which request the {@code n}-th on a connection is: mostly GETs, some chunked answers, some POSTs. */
    private static FullHttpRequest h1Request(int n) {
        FullHttpRequest req = switch (n % 4) {
            case 1 -> new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/chunked/" + n);
            case 3 -> new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/form?n=" + n,
                    Unpooled.wrappedBuffer(POST_BODY));
            default -> new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/static/app.js?v=" + n);
        };
        req.headers().set(HttpHeaderNames.HOST, HOST).setInt(HttpHeaderNames.CONTENT_LENGTH, req.content().readableBytes())
                .set(HttpHeaderNames.USER_AGENT, "edgeway-warmup").set(HttpHeaderNames.ACCEPT, "*/*");
        return req;
    }

    private void connectH1() {
        if (stopped) {
            return;
        }
        new Bootstrap().group(group).channel(channelClass).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpClientCodec()).addLast(new SimpleChannelInboundHandler<HttpObject>() {
                    private int sent;
                    private boolean ok;

                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        ctx.writeAndFlush(h1Request(sent++));
                    }

                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                        if (msg instanceof HttpResponse res) {
                            ok = res.status().code() == 200;
                        }
                        if (msg instanceof LastHttpContent) {
                            if (answeredOne(ok)) {
                                ctx.writeAndFlush(h1Request(sent++));
                            } else {
                                ctx.close();
                            }
                        }
                    }

                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        reconnectSoon(WarmupLoad.this::connectH1);
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        ctx.close();
                    }
                });
            }
        }).connect("127.0.0.1", port).addListener(f -> {
            if (!f.isSuccess()) {
                reconnectSoon(this::connectH1);
            }
        });
    }

    private void connectH2() {
        if (stopped) {
            return;
        }
        new Bootstrap().group(group).channel(channelClass).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build())
                        .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()))
                        .addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                for (int i = 0; i < STREAMS_PER_H2; i++) {
                                    openStream(ctx.channel(), i);
                                }
                                ctx.fireChannelActive();
                            }

                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ReferenceCountUtil.release(msg); // GOAWAY, SETTINGS, PING: nothing to do
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                reconnectSoon(WarmupLoad.this::connectH2);
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                ctx.close();
                            }
                        });
            }
        }).connect("127.0.0.1", port).addListener(f -> {
            if (!f.isSuccess()) {
                reconnectSoon(this::connectH2);
            }
        });
    }

    /** One stream, one request; its end opens the next stream on the same connection. */
    private void openStream(Channel connection, int n) {
        if (stopped || !connection.isActive()) {
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
                    if (answeredOne(ok)) {
                        openStream(connection, n + STREAMS_PER_H2);
                    }
                }
            }
        }).open().addListener(f -> {
            if (!f.isSuccess()) {
                return; // the connection is going away; its channelInactive reconnects
            }
            Channel stream = (Channel) f.getNow();
            boolean post = n % 4 == 3;
            Http2Headers h = new DefaultHttp2Headers().method(post ? "POST" : "GET").scheme("http").authority(HOST)
                    .path(n % 4 == 1 ? "/chunked/" + n : post ? "/form?n=" + n : "/static/app.js?v=" + n)
                    .set("user-agent", "edgeway-warmup");
            stream.write(new DefaultHttp2HeadersFrame(h, !post));
            if (post) {
                ByteBuf body = Unpooled.wrappedBuffer(POST_BODY);
                stream.write(new DefaultHttp2DataFrame(body, true));
            }
            stream.flush();
        });
    }

    private void reconnectSoon(Runnable connect) {
        if (!stopped && !group.isShuttingDown()) {
            group.schedule(connect, 20, TimeUnit.MILLISECONDS);
        }
    }
}
