package io.edgeway.dataplane.warmup;

import io.edgeway.dataplane.cache.ResponseCache;
import io.edgeway.dataplane.config.ConfigHolder;
import io.edgeway.dataplane.config.InvalidConfigException;
import io.edgeway.dataplane.config.RuntimeConfig;
import io.edgeway.dataplane.limits.RateLimits;
import io.edgeway.dataplane.listener.ClientLimits;
import io.edgeway.dataplane.listener.Drain;
import io.edgeway.dataplane.listener.ProxyInitializer;
import io.edgeway.dataplane.relay.LoopResources;
import io.edgeway.dataplane.relay.Observers;
import io.edgeway.dataplane.status.Metrics;
import io.edgeway.dataplane.tls.TlsInitializer;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Target;
import io.edgeway.proto.v1.Upstream;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The warm-up's own proxy: a plain and a TLS listener on 127.0.0.1 accepted onto the real workers and served by
 * the real pipeline ({@link ProxyInitializer}, {@link TlsInitializer}), but with everything the operator can see
 * or reach kept apart: its own config (one route to the {@link WarmupTarget}, so not a byte reaches a configured
 * target), its own metrics registry (never rendered on {@code /metrics}), no access log or trace export
 * (trace context headers only, to its own target), its own response cache and rate limit buckets, and per-loop resources it closes itself.
 */
final class WarmupProxy implements AutoCloseable {
    private static final long CACHE_BYTES = 1 << 20;
    private static final int RATE_KEYS = 1024;
    /**
     * X-Request-Id and traceparent made and sent to the warm-up's target, as a proxy does by default, but no access
     * log and no span export. With {@link Observers#NONE} the trace context code was first loaded and compiled
     * after ready (bench/cold-start.sh DIAG=1: TraceContext's classes loaded on the first client request).
     */
    private static final Observers TRACE_CONTEXT_ONLY = new Observers(null, true, 0);

    /** The connections both listeners accepted (the initializer adds them), closed with the warm-up. */
    private final ChannelGroup connections;
    private final List<LoopResources> loops;
    private final Channel plain;
    private final Channel tls;

    private WarmupProxy(ChannelGroup connections, List<LoopResources> loops, Channel plain, Channel tls) {
        this.connections = connections;
        this.loops = loops;
        this.plain = plain;
        this.tls = tls;
    }

    /**
     * Binds both listeners: {@code boss} accepts, the proxy's {@code workers} serve. {@code warmupTls} puts its
     * certificate and ticket key into the warm-up's snapshot, so SNI lookup and the engine run as for pushed ones.
     */
    static WarmupProxy bind(EventLoopGroup boss, EventLoopGroup workers, Class<? extends ServerSocketChannel> serverClass,
            Class<? extends SocketChannel> socketClass, ClientLimits limits, long poolIdleMillis, int targetPort,
            WarmupTls warmupTls) throws InterruptedException, InvalidConfigException {
        ConfigHolder configs = new ConfigHolder();
        Metrics metrics = new Metrics(configs::version);
        metrics.watch(configs, true); // per-route meters on, as in production by default: their code is hot too
        configs.set(RuntimeConfig.from(warmupTls.addTo(snapshot(targetPort).toBuilder()).build(), RuntimeConfig.NONE,
                configs.meters()));
        ResponseCache cache = new ResponseCache(CACHE_BYTES);
        RateLimits rateLimits = new RateLimits(RATE_KEYS);
        Map<EventLoop, LoopResources> perLoop = new HashMap<>();
        for (EventExecutor e : workers) {
            perLoop.put((EventLoop) e, new LoopResources((EventLoop) e, socketClass, poolIdleMillis, metrics,
                    TRACE_CONTEXT_ONLY, cache, rateLimits));
        }
        List<LoopResources> loops = List.copyOf(perLoop.values());
        ChannelGroup connections = new DefaultChannelGroup("warmup", GlobalEventExecutor.INSTANCE);
        ProxyInitializer init = new ProxyInitializer(configs, perLoop, metrics, connections, limits, new Drain());
        Channel plain = null;
        Channel tls;
        try {
            plain = listen(boss, workers, serverClass, init);
            // SNI lookup, the engine, ticket keys, ALPN to h2, all on the same workers.
            tls = listen(boss, workers, serverClass, TlsInitializer.forWarmup(init, configs, metrics.tls()));
        } catch (InterruptedException | RuntimeException e) {
            if (plain != null) {
                plain.close();
            }
            loops.forEach(LoopResources::close);
            throw e;
        }
        return new WarmupProxy(connections, loops, plain, tls);
    }

    /**
     * The warm-up's routes and its one upstream; nothing in them names anything but its own target. Two routes, so
     * both lookups a real config makes are compiled: by host name then path prefix ({@link WarmupRequests#HOST}), and
     * any host by path prefix (requests whose Host is an address with a port, as load balancers and wrk send).
     */
    static Snapshot snapshot(int targetPort) {
        return Snapshot.newBuilder().setVersion(1).setNonce("warmup")
                .addUpstreams(Upstream.newBuilder().setName("edgeway-warmup")
                        .addTargets(Target.newBuilder().setHost("127.0.0.1").setPort(targetPort).setWeight(1)))
                .addRoutes(Route.newBuilder().setName("edgeway-warmup").addHosts(WarmupRequests.HOST)
                        .addPaths("/static/").addPaths("/chunked/").addPaths("/form").addPaths("/")
                        .setUpstream("edgeway-warmup"))
                .addRoutes(Route.newBuilder().setName("edgeway-warmup-any-host").addPaths("/")
                        .setUpstream("edgeway-warmup"))
                .build();
    }

    private static Channel listen(EventLoopGroup boss, EventLoopGroup workers, Class<? extends ServerSocketChannel> serverClass,
            ChannelHandler init) throws InterruptedException {
        return new ServerBootstrap().group(boss, workers).channel(serverClass)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childHandler(init)
                .bind("127.0.0.1", 0).sync().channel();
    }

    int plainPort() {
        return ((InetSocketAddress) plain.localAddress()).getPort();
    }

    int tlsPort() {
        return ((InetSocketAddress) tls.localAddress()).getPort();
    }

    /** Closes both listeners, then the connections they accepted, then the per-loop pools. */
    @Override
    public void close() {
        plain.close().syncUninterruptibly();
        tls.close().syncUninterruptibly();
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        loops.forEach(LoopResources::close);
    }
}
