package io.edgeway.dataplane.http2;

import io.edgeway.dataplane.balancing.Endpoint;
import io.edgeway.dataplane.status.Metrics;
import io.edgeway.dataplane.tls.UpstreamTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One event loop's HTTP/2 connections to targets (h2c, or h2 over TLS when the upstream has TLS): at most
 * one per target address and TLS identity ({@code Endpoint.poolKey()}), shared by every stream of that loop,
 * gRPC ({@link GrpcRelay}) and HTTP exchanges to {@code h2c} upstreams ({@link #stream}) alike.
 * HTTP/2 multiplexes, so a pool of several buys nothing; streams beyond the target's concurrent-stream
 * limit wait in the encoder until one ends instead of failing. Confined to its event loop like the
 * HTTP/1.1 {@code UpstreamPool}: no locks. A connection that is closing or got a GOAWAY is forgotten, so
 * the next stream opens a new one.
 */
public final class H2Upstreams {
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final long idleMillis;
    private final Metrics metrics;
    /**
     * Connecting or connected; the entry is removed when the connection fails, closes or goes away. Keyed by
     * {@code Endpoint.poolKey()}: a TLS and a plaintext upstream on one address never share a connection.
     */
    private final Map<Object, Promise<Channel>> connections = new HashMap<>();

    public H2Upstreams(EventLoop loop, Bootstrap bootstrap, long idleMillis, Metrics metrics) {
        this.loop = loop;
        this.bootstrap = bootstrap;
        this.idleMillis = idleMillis;
        this.metrics = metrics;
    }

    /** The target's connection, shared if one is open or being opened. Call on this loop only. */
    public Future<Channel> connection(Endpoint target, long connectTimeoutMillis) {
        InetSocketAddress address = target.address();
        Object key = target.poolKey();
        UpstreamTls tls = target.tls();
        Promise<Channel> existing = connections.get(key);
        if (existing != null && (!existing.isDone() || existing.getNow().isActive())) {
            return existing;
        }
        Promise<Channel> promise = loop.newPromise();
        connections.put(key, promise);
        Runnable forget = () -> connections.remove(key, promise);
        bootstrap.clone()
                // HTTP/2 flow control does the per-stream backpressure; the connection itself reads freely.
                .option(ChannelOption.AUTO_READ, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeoutMillis))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) { // HTTP/2 over TLS, ALPN h2; a failed handshake closes before SETTINGS
                            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), target.host(), target.port(),
                                    true, connectTimeoutMillis));
                        }
                        ch.pipeline()
                                .addLast("idle", new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS))
                                .addLast("h2", Http2FrameCodecBuilder.forClient()
                                        .initialSettings(Http2Settings.defaultSettings().pushEnabled(false))
                                        .encoderEnforceMaxConcurrentStreams(true)
                                        .build())
                                .addLast("h2-streams", new Http2MultiplexHandler(new RefusePush()))
                                .addLast("h2-connection", new ConnectionEnd(forget, promise));
                    }
                })
                .connect(address)
                .addListener((ChannelFuture f) -> {
                    if (!f.isSuccess()) {
                        metrics.upstreamConnectFailures.increment();
                        forget.run();
                        promise.tryFailure(f.cause());
                        return;
                    }
                    metrics.upstreamConnectionsOpened.increment();
                    metrics.upstreamConnectionsActive.increment();
                    f.channel().closeFuture().addListener(c -> {
                        metrics.upstreamConnectionsActive.decrement();
                        forget.run();
                        promise.tryFailure(new ClosedChannelException());
                    });
                    // Ready at the target's first SETTINGS (ConnectionEnd), within the connect timeout.
                    loop.schedule(() -> {
                        if (promise.tryFailure(new ConnectTimeoutException("no HTTP/2 SETTINGS from " + address))) {
                            f.channel().close();
                        }
                    }, connectTimeoutMillis, TimeUnit.MILLISECONDS);
                });
        return promise;
    }

    /**
     * A new stream to the target, on its shared connection (opened first if need be), with AUTO_READ off
     * and {@code handler} as its pipeline; fails when the connection or the stream cannot be opened.
     */
    public Future<Channel> stream(Endpoint target, long connectTimeoutMillis, ChannelHandler handler) {
        Promise<Channel> opened = loop.newPromise();
        connection(target, connectTimeoutMillis).addListener((Future<Channel> c) -> {
            if (!c.isSuccess()) {
                opened.tryFailure(c.cause());
                return;
            }
            new Http2StreamChannelBootstrap(c.getNow())
                    .option(ChannelOption.AUTO_READ, false)
                    .handler(handler)
                    .open()
                    .addListener((Future<Http2StreamChannel> s) -> {
                        if (s.isSuccess()) {
                            opened.trySuccess(s.getNow());
                        } else {
                            opened.tryFailure(s.cause());
                        }
                    });
        });
        return opened;
    }

    public void close() {
        if (!loop.inEventLoop()) {
            loop.execute(this::close);
            return;
        }
        for (Promise<Channel> p : new ArrayList<>(connections.values())) {
            if (p.isSuccess()) {
                p.getNow().close();
            }
        }
        connections.clear();
    }

    /** Push is disabled in our SETTINGS; a target that pushes anyway gets its stream closed. */
    private static final class RefusePush extends ChannelInitializer<Channel> {
        @Override
        protected void initChannel(Channel ch) {
            ch.close();
        }
    }

    /**
     * Connection-level frames end here. The connection is handed out once the target's first SETTINGS
     * arrived: until then its concurrent-stream limit is unknown, and streams opened over a limit that is
     * announced later are refused (some servers even answer their DATA with a connection error). A
     * GOAWAY retires the connection for new streams.
     */
    private static final class ConnectionEnd extends ChannelInboundHandlerAdapter {
        private final Runnable forget;
        private final Promise<Channel> ready;

        ConnectionEnd(Runnable forget, Promise<Channel> ready) {
            this.forget = forget;
            this.ready = ready;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2SettingsFrame) {
                ready.trySuccess(ctx.channel());
            } else if (msg instanceof Http2GoAwayFrame) {
                forget.run(); // streams in flight finish; new ones go to a fresh connection
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            // Like an idle pooled HTTP/1.1 connection: a target nobody calls any more (or one removed from
            // the config) does not keep a socket open forever. Streams in flight keep it, however quiet.
            if (evt instanceof IdleStateEvent e && e.state() == IdleState.ALL_IDLE) {
                Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
                if (codec == null || codec.connection().numActiveStreams() == 0) {
                    forget.run();
                    ctx.close();
                }
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
