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
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The synthetic clients: a few HTTP/1.1 keep-alive connections and a few h2c (prior knowledge) connections
 * with several streams each, all sending one request after another to the warm-up listener until {@link #stop}. The mix (GET, chunked answers, POST with a body; HTTP/1.1 and h2) is what a proxy
 * does most, so those paths are the ones compiled. With {@link WarmupTls}, the same over the warm-up's TLS
 * listener: HTTP/1.1 connections of one request each (a full handshake each), of a few requests each (resumed
 * handshakes), and h2 chosen by ALPN. Everything runs on the warm-up's own event loop.
 */
final class WarmupLoad {
    static final String HOST = "warmup.edgeway.invalid";
    private static final int H1_CONNECTIONS = 4;
    private static final int H2_CONNECTIONS = 2;
    private static final int STREAMS_PER_H2 = 4;
    /** A TLS connection is closed after this many requests, so that the next one handshakes again. */
    private static final int REQUESTS_PER_FULL_HANDSHAKE = 1;
    private static final int REQUESTS_PER_RESUMED_HANDSHAKE = 2;

    /** How an HTTP/1.1 connection reaches the proxy. */
    private enum Way { PLAIN, TLS_FULL, TLS_RESUMED }
    private static final byte[] POST_BODY = "warm=up&".repeat(64).getBytes(StandardCharsets.US_ASCII);

    private final EventLoopGroup group;
    private final Class<? extends SocketChannel> channelClass;
    private final int port;
    private final WarmupTls tls;   // null: no TLS listener
    private final int tlsPort;
    private final AtomicInteger answeredOverTls = new AtomicInteger();
    private final AtomicInteger okH2OverTls = new AtomicInteger();
    private final AtomicInteger answered = new AtomicInteger();
    /** Answers other than 200: the warm-up's pipeline is broken (logged at the end; readiness is not held). */
    private final AtomicInteger failed = new AtomicInteger();
    private volatile boolean stopped;

    WarmupLoad(EventLoopGroup group, Class<? extends SocketChannel> channelClass, int port, WarmupTls tls, int tlsPort) {
        this.group = group;
        this.channelClass = channelClass;
        this.port = port;
        this.tls = tls;
        this.tlsPort = tlsPort;
    }

    void start() {
        for (int i = 0; i < H1_CONNECTIONS; i++) {
            connectH1(Way.PLAIN);
        }
        for (int i = 0; i < H2_CONNECTIONS; i++) {
            connectH2(false);
        }
        if (tls != null) {
            connectH1(Way.TLS_FULL);
            connectH1(Way.TLS_RESUMED);
            connectH1(Way.TLS_RESUMED);
            connectH2(true);
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

    /** Answers (any status) that came over the TLS listener, HTTP/1.1 and h2. */
    int answeredOverTls() {
        return answeredOverTls.get();
    }

    /** 200s over h2 on the TLS listener (the client offers only h2 by ALPN). */
    int okH2OverTls() {
        return okH2OverTls.get();
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

    private void connectH1(Way way) {
        if (stopped) {
            return;
        }
        int perConnection = way == Way.TLS_FULL ? REQUESTS_PER_FULL_HANDSHAKE
                : way == Way.TLS_RESUMED ? REQUESTS_PER_RESUMED_HANDSHAKE : Integer.MAX_VALUE;
        new Bootstrap().group(group).channel(channelClass).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                if (way != Way.PLAIN) {
                    ch.pipeline().addLast(tlsHandler(way == Way.TLS_FULL ? tls.fullHandshake(ch.alloc())
                            : tls.resumedHandshake(ch.alloc())));
                }
                ch.pipeline().addLast(new HttpClientCodec()).addLast(new SimpleChannelInboundHandler<HttpObject>() {
                    private int sent;
                    private boolean ok;
                    private boolean closedByUs;

                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        ctx.writeAndFlush(h1Request(sent++)); // over TLS: held by the SslHandler until the handshake is done
                    }

                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                        if (msg instanceof HttpResponse res) {
                            ok = res.status().code() == 200;
                        }
                        if (msg instanceof LastHttpContent) {
                            if (way != Way.PLAIN) {
                                answeredOverTls.incrementAndGet();
                            }
                            if (!answeredOne(ok)) {
                                ctx.close();
                            } else if (sent < perConnection) {
                                ctx.writeAndFlush(h1Request(sent++));
                            } else {
                                closedByUs = true; // the next connection handshakes again, at once
                                ctx.close();
                            }
                        }
                    }

                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        if (closedByUs && !stopped) {
                            group.execute(() -> connectH1(way));
                        } else {
                            reconnectSoon(() -> connectH1(way));
                        }
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        ctx.close();
                    }
                });
            }
        }).connect("127.0.0.1", way == Way.PLAIN ? port : tlsPort).addListener(f -> {
            if (!f.isSuccess()) {
                reconnectSoon(() -> connectH1(way));
            }
        });
    }

    private void connectH2(boolean overTls) {
        if (stopped) {
            return;
        }
        new Bootstrap().group(group).channel(channelClass).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                if (overTls) {
                    ch.pipeline().addLast(tlsHandler(tls.h2(ch.alloc())));
                }
                ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build())
                        .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()))
                        .addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                for (int i = 0; i < STREAMS_PER_H2; i++) {
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
                                reconnectSoon(() -> connectH2(overTls));
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                ctx.close();
                            }
                        });
            }
        }).connect("127.0.0.1", overTls ? tlsPort : port).addListener(f -> {
            if (!f.isSuccess()) {
                reconnectSoon(() -> connectH2(overTls));
            }
        });
    }

    /** One stream, one request; its end opens the next stream on the same connection. */
    private void openStream(Channel connection, int n, boolean overTls) {
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
                    if (overTls) {
                        answeredOverTls.incrementAndGet();
                        if (ok) {
                            okH2OverTls.incrementAndGet();
                        }
                    }
                    if (answeredOne(ok)) {
                        openStream(connection, n + STREAMS_PER_H2, overTls);
                    }
                }
            }
        }).open().addListener(f -> {
            if (!f.isSuccess()) {
                return; // the connection is going away; its channelInactive reconnects
            }
            Channel stream = (Channel) f.getNow();
            boolean post = n % 4 == 3;
            Http2Headers h = new DefaultHttp2Headers().method(post ? "POST" : "GET").scheme(overTls ? "https" : "http").authority(HOST)
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

    /** Counts the handshake as full or resumed once it is done; a failed one closes the connection (then retried). */
    private SslHandler tlsHandler(SslHandler handler) {
        handler.handshakeFuture().addListener(f -> {
            if (f.isSuccess()) {
                tls.handshakeDone(handler);
            }
        });
        return handler;
    }

    private void reconnectSoon(Runnable connect) {
        if (!stopped && !group.isShuttingDown()) {
            group.schedule(connect, 20, TimeUnit.MILLISECONDS);
        }
    }
}
