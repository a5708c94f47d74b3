package io.edgeway.dataplane.relay;

import io.edgeway.dataplane.limits.RateLimits;
import io.edgeway.dataplane.balancing.Endpoint;
import io.edgeway.dataplane.cache.ResponseCache;
import io.edgeway.dataplane.http2.H2StreamAdapter;
import io.edgeway.dataplane.http2.H2Upstreams;
import io.edgeway.dataplane.status.Metrics;
import io.edgeway.dataplane.tls.UpstreamTls;
import io.edgeway.dataplane.upstream.UpstreamPool;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;

/**
 * What one event loop owns for talking to upstreams: its pool and a bootstrap bound to that loop, so an
 * upstream connection always lives on the loop of the client connection that opened it.
 */
public final class LoopResources {
    public static final int MAX_CHUNK = 64 * 1024;
    private final UpstreamPool pool;
    private final Bootstrap bootstrap;
    private final Metrics metrics;
    /** h2c connections: gRPC streams ({@link GrpcRelay}) and exchanges to h2c upstreams; HTTP/1.1 ones use {@link #pool}. */
    private final H2Upstreams h2;
    /** The pipeline of an exchange's h2c stream, stateless and so shared by all of this loop's streams. */
    private final ChannelInitializer<Channel> h2Exchange;
    private final Observers observers;
    /** The proxy's one response cache, shared by every loop. */
    private final ResponseCache cache;
    /** The proxy's rate limit buckets, shared by every loop (issue 18). */
    private final RateLimits rateLimits;

    public LoopResources(EventLoop loop, Class<? extends SocketChannel> channelClass, long poolIdleMillis,
            Metrics metrics) {
        this(loop, channelClass, poolIdleMillis, metrics, Observers.NONE);
    }

    public LoopResources(EventLoop loop, Class<? extends SocketChannel> channelClass, long poolIdleMillis,
            Metrics metrics, Observers observers) {
        this(loop, channelClass, poolIdleMillis, metrics, observers, new ResponseCache(ResponseCache.DEFAULT_MEMORY_BYTES));
    }

    public LoopResources(EventLoop loop, Class<? extends SocketChannel> channelClass, long poolIdleMillis,
            Metrics metrics, Observers observers, ResponseCache cache) {
        this(loop, channelClass, poolIdleMillis, metrics, observers, cache, new RateLimits(RateLimits.DEFAULT_KEYS));
    }

    public LoopResources(EventLoop loop, Class<? extends SocketChannel> channelClass, long poolIdleMillis,
            Metrics metrics, Observers observers, RateLimits rateLimits) {
        this(loop, channelClass, poolIdleMillis, metrics, observers, new ResponseCache(ResponseCache.DEFAULT_MEMORY_BYTES),
                rateLimits);
    }

    public LoopResources(EventLoop loop, Class<? extends SocketChannel> channelClass, long poolIdleMillis,
            Metrics metrics, Observers observers, ResponseCache cache, RateLimits rateLimits) {
        this.cache = cache;
        this.rateLimits = rateLimits;
        this.metrics = metrics;
        this.observers = observers;
        this.pool = new UpstreamPool(loop, poolIdleMillis, metrics.upstreamConnectionsIdle::add);
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(channelClass)
                .option(ChannelOption.AUTO_READ, false)
                // The client side's allocator: one set of thread-local caches on the loop, not two.
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true);
        this.h2 = new H2Upstreams(loop, bootstrap, poolIdleMillis, metrics);
        Http2StreamFrameToHttpObjectCodec codec = new Http2StreamFrameToHttpObjectCodec(false, true);
        this.h2Exchange = new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel stream) {
                // The exchange sees the same HTTP objects an HTTP/1.1 connection gives it.
                stream.pipeline()
                        .addLast("codec", codec)
                        .addLast("h2-response", H2StreamAdapter.INSTANCE)
                        .addLast("backend", BackendHandler.forStream(metrics));
            }
        };
    }

    /** The loop's upstream bootstrap (AUTO_READ off, pooled allocator) for connections outside the pool. */
    Bootstrap bootstrap() {
        return bootstrap;
    }

    /** The proxy's one rate limit table: the HTTP path's (here) and the gRPC relay's. */
    public RateLimits rateLimits() {
        return rateLimits;
    }

    public Observers observers() {
        return observers;
    }

    public H2Upstreams h2() {
        return h2;
    }

    /** A new h2c stream to the target for one exchange, with a {@link BackendHandler} like a pooled connection's. */
    Future<Channel> openStream(Endpoint target, long connectTimeoutMillis) {
        return h2.stream(target, connectTimeoutMillis, h2Exchange);
    }

    public UpstreamPool pool() {
        return pool;
    }

    /**
     * A new HTTP/1.1 connection to the target. For a TLS upstream the future completes only once the
     * handshake did, so a failed handshake (bad chain, wrong name, no TLS at all) is a connect failure:
     * 502, passive health and a retry on another target, exactly like a refused connection; the request
     * is never written in clear because the SslHandler is first in the pipeline.
     */
    ChannelFuture connect(Endpoint target, long connectTimeoutMillis) {
        UpstreamTls tls = target.tls();
        ChannelFuture connected = bootstrap.clone()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeoutMillis))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), target.host(), target.port(),
                                    false, connectTimeoutMillis));
                        }
                        ch.pipeline()
                                .addLast("encoder", new UpstreamRequestEncoder())
                                .addLast("decoder", new UpstreamDecoder(upstreamDecoderConfig()))
                                .addLast("backend", new BackendHandler(pool, target.poolKey(), metrics));
                    }
                })
                .connect(target.address());
        ChannelFuture ready = tls == null ? connected : handshaken(connected);
        return ready.addListener(f -> {
            if (!f.isSuccess()) {
                metrics.upstreamConnectFailures.increment();
            }
        });
    }

    /** Completes when the TLS handshake on {@code connected} succeeded; fails (and closes) otherwise. */
    private static ChannelFuture handshaken(ChannelFuture connected) {
        Channel ch = connected.channel();
        ChannelPromise ready = ch.newPromise();
        connected.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                ready.tryFailure(f.cause());
                return;
            }
            ch.pipeline().get(SslHandler.class).handshakeFuture().addListener(h -> {
                if (h.isSuccess()) {
                    ready.trySuccess();
                } else {
                    ready.tryFailure(h.cause());
                    ch.close();
                }
            });
            // AUTO_READ is off: the handshake needs the target's answer read before the exchange asks.
            ch.read();
        });
        return ready;
    }

    static HttpDecoderConfig upstreamDecoderConfig() {
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(8192)
                .setMaxHeaderSize(32 * 1024)
                .setMaxChunkSize(MAX_CHUNK)
                .setUseRfc9112TransferEncoding(true);
    }

    public void close() {
        pool.close();
        h2.close();
    }

    public ResponseCache cache() {
        return cache;
    }
}
