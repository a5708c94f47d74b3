package io.edgeway.dataplane;

import io.edgeway.dataplane.cache.ResponseCache;
import io.edgeway.dataplane.limits.ConnectionLimits;
import io.edgeway.dataplane.limits.RateLimits;
import io.edgeway.dataplane.config.ConfigClient;
import io.edgeway.dataplane.config.ConfigHolder;
import io.edgeway.dataplane.config.DiskCache;
import io.edgeway.dataplane.l4.StreamListeners;
import io.edgeway.dataplane.l4.StreamNet;
import io.edgeway.dataplane.l4.StreamSettings;
import io.edgeway.dataplane.listener.Drain;
import io.edgeway.dataplane.relay.LoopResources;
import io.edgeway.dataplane.status.Metrics;
import io.edgeway.dataplane.status.LoadReports;
import io.edgeway.dataplane.accesslog.AccessLog;
import io.edgeway.dataplane.trace.SpanExport;
import io.edgeway.dataplane.relay.Observers;
import io.edgeway.dataplane.listener.ProxyInitializer;
import io.edgeway.dataplane.status.StatusHandler;
import io.edgeway.dataplane.config.Durations;
import io.edgeway.dataplane.tls.TlsEngine;
import io.edgeway.dataplane.tls.TlsInitializer;
import io.edgeway.dataplane.upstream.HealthChecker;
import io.edgeway.dataplane.upstream.TargetHealthReport;
import io.edgeway.dataplane.warmup.Warmup;
import io.edgeway.dataplane.warmup.WarmupSettings;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.ResourceLeakDetector;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The proxy process: listeners, event loops, the config stream. {@link #start} returns it running. */
public final class DataPlane implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DataPlane.class);
    /**
     * How long an idle upstream keep-alive connection stays pooled (EDGEWAY_UPSTREAM_IDLE_TIMEOUT, default
     * 4s). It must stay below the targets' own keep-alive timeout, so the proxy, not the target, is the side
     * that closes an idle connection: Node.js and Apache httpd close after 5 s, nginx after 75 s, so 4 s
     * (undici's default, for the same reason) keeps clear of the common ones. Targets that close sooner are
     * covered by the pool dropping a connection as soon as its FIN is read and by the one resend of a
     * bodiless request whose reused connection closed before any response byte ({@code Exchange}).
     */
    static final long POOL_IDLE_MS = upstreamIdleMillis(System.getenv());

    static long upstreamIdleMillis(Map<String, String> env) {
        long ms = Durations.fromEnv(env, "EDGEWAY_UPSTREAM_IDLE_TIMEOUT", Duration.ofSeconds(4)).toMillis();
        if (ms < 1) {
            throw new IllegalArgumentException("EDGEWAY_UPSTREAM_IDLE_TIMEOUT: " + ms + "ms (expected: > 0)");
        }
        return ms;
    }

    private final Settings settings;
    private final ConfigHolder configs = new ConfigHolder();
    private final Metrics metrics = new Metrics(configs::version);
    private final EventLoopGroup acceptor;
    private final EventLoopGroup workers;
    private final ChannelGroup clients = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
    private final Drain drain = new Drain();
    private final List<LoopResources> loopResources;
    private final ConfigClient configClient;
    private final HealthChecker health;
    private final AccessLog accessLog; // null when off
    /** The proxy's response cache: EDGEWAY_CACHE_MEMORY_BYTES, and EDGEWAY_CACHE_DISK_MAX_BYTES for its disk tier. */
    private final ResponseCache responseCache;
    private final StreamListeners streams;
    private final RateLimits rateLimits;
    private final ConnectionLimits connectionLimits;
    private Channel proxyChannel;
    private Channel tlsChannel;
    private Channel statusChannel;
    /** Issue 21: synthetic traffic before {@code /readyz} turns ready; replaced once the listeners are bound. */
    private volatile Warmup warmup = Warmup.none();
    private final CountDownLatch closed = new CountDownLatch(1);

    private DataPlane(Settings settings, StreamSettings streamSettings, WarmupSettings warmupSettings) {
        this(settings, streamSettings, warmupSettings, ResponseCache.fromEnv(System.getenv(), settings.dataDir()));
    }

    private DataPlane(Settings settings, StreamSettings streamSettings, WarmupSettings warmupSettings,
            ResponseCache responseCache) {
        this.settings = settings;
        this.responseCache = responseCache;
        TlsEngine.loadInBackground();
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends SocketChannel> socketClass = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        this.acceptor = new MultiThreadIoEventLoopGroup(1, io);
        this.workers = new MultiThreadIoEventLoopGroup(settings.workers(), io);
        Map<EventLoop, LoopResources> loops = new HashMap<>();
        Settings.Observability observability = settings.observability();
        SpanExport spans = observability.otlp().on() ? new SpanExport(observability.otlp(), settings.nodeId(),
                metrics.otlpSpansDropped, metrics.otlpSpansFailed) : null;
        this.accessLog = AccessLog.start(observability.accessLog(), spans, metrics.accessLogDropped);
        Observers observers = new Observers(accessLog, observability.traceContext(),
                observability.otlp().newTraceSample());
        this.rateLimits = new RateLimits(settings.limits().rateLimitKeys());
        this.connectionLimits = new ConnectionLimits(settings.limits().maxConnections(), settings.limits().maxConnectionsPerIp());
        for (EventExecutor e : workers) {
            loops.put((EventLoop) e, new LoopResources((EventLoop) e, socketClass, POOL_IDLE_MS, metrics, observers,
                    responseCache, rateLimits));
        }
        this.loopResources = List.copyOf(loops.values());
        this.configClient = new ConfigClient(settings.controlPlaneHost(), settings.controlPlanePort(),
                settings.controlPlaneAuth().open(settings.dataDir(), settings.nodeId()), configs,
                new DiskCache(settings.dataDir()), settings.nodeId(), settings.labels(),
                version -> responseCache.apply(configs.get().cachePurges())); // before the Ack: acked means purged
        configClient.onFleetShare(rateLimits::fleetShare);
        metrics.limits(rateLimits, connectionLimits);
        this.streams = new StreamListeners(new StreamNet(acceptor, workers,
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class, socketClass,
                epoll ? EpollDatagramChannel.class : NioDatagramChannel.class, clients, settings.proxyAddress()),
                streamSettings, metrics.registry());
        configClient.applyStep(streams); // before the cache loads: its stream ports are bound too
        metrics.bind(drain::begun, configClient::connected);
        metrics.watch(configs, settings.observability().routeMetrics()); // before the cache loads: its routes get their metric children too
        // Before the ports are bound, so no request ever sees "no config" when a cached one exists; the Hello
        // then carries the cached version and the control plane sends only newer ones.
        configClient.loadCache();
        // A new node's join (key, CSR, a round trip) and its first snapshot then run on the client's thread
        // while this one binds the listeners and loads the TLS engine: a fresh node serves sooner. Applying a
        // snapshot needs no listener; requests only arrive once the ports are bound.
        configClient.reportLoadEvery(settings.observability().loadReportInterval(), new LoadReports(metrics)::next);
        configClient.start();
        log.info("transport {}", epoll ? "epoll" : "nio");
        ProxyInitializer proxyInit = new ProxyInitializer(configs, loops, metrics, clients, settings.client(), drain)
                .withLimits(settings.limits(), connectionLimits);
        Class<? extends ServerSocketChannel> serverClass =
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        try {
            proxyChannel = listen(serverClass, proxyInit, settings.proxyAddress(), settings.proxyPort());
            tlsChannel = listen(serverClass, new TlsInitializer(proxyInit, configs, settings.tls().defaults(), metrics.tls()),
                    settings.proxyAddress(), settings.tls().port());
            StatusHandler status = new StatusHandler(configs, metrics, drain, () -> warmup.done());
            statusChannel = new ServerBootstrap()
                    .group(acceptor, acceptor)
                    .channel(serverClass)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast("codec", new HttpServerCodec()).addLast("status", status);
                        }
                    })
                    .bind(settings.proxyAddress(), settings.statusPort()).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while binding", e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        health = new HealthChecker(configs, config -> configClient.reportTargetHealth(TargetHealthReport.of(config)));
        // Last: it needs the bound workers, and it runs while the first snapshot arrives (neither waits for the other).
        warmup = Warmup.start(warmupSettings, workers, io, serverClass, socketClass, settings.client(), POOL_IDLE_MS);
    }

    /**
     * Binds the proxy and status ports and starts the config stream. No warm-up: in-process proxies (tests,
     * embedding) are ready as soon as a config is applied; the process ({@link #main}) warms up by default.
     */
    public static DataPlane start(Settings settings) {
        return new DataPlane(settings, StreamSettings.fromEnv(System.getenv(), settings.drainTimeout()), WarmupSettings.OFF);
    }

    /** As above, with the stream routes' timeouts and limits given (tests). */
    public static DataPlane start(Settings settings, StreamSettings streams) {
        return new DataPlane(settings, streams, WarmupSettings.OFF);
    }

    /** As above, with a warm-up before {@code /readyz} turns ready (issue 21). */
    public static DataPlane start(Settings settings, StreamSettings streams, WarmupSettings warmup) {
        return new DataPlane(settings, streams, warmup);
    }

    /** The warm-up phase (ended at once when off). */
    public Warmup warmup() {
        return warmup;
    }

    /** As {@link #start(Settings)}, with the response cache given (tests: a small memory tier, a disk tier). */
    static DataPlane start(Settings settings, ResponseCache cache) {
        return new DataPlane(settings, StreamSettings.fromEnv(System.getenv(), settings.drainTimeout()), WarmupSettings.OFF,
                cache);
    }

    /** The response cache every loop shares (purges reach it through the control channel). */
    public ResponseCache responseCache() {
        return responseCache;
    }

    public int proxyPort() {
        return ((InetSocketAddress) proxyChannel.localAddress()).getPort();
    }

    public int tlsPort() {
        return ((InetSocketAddress) tlsChannel.localAddress()).getPort();
    }

    public int statusPort() {
        return ((InetSocketAddress) statusChannel.localAddress()).getPort();
    }

    public long appliedVersion() {
        return configs.version();
    }

    public String nodeId() {
        return settings.nodeId();
    }

    /** The proxy's rate limit state (issue 18): for tests and the status page. */
    public RateLimits rateLimits() {
        return rateLimits;
    }

    public ConnectionLimits connectionLimits() {
        return connectionLimits;
    }

    public Metrics metrics() {
        return metrics;
    }

    /**
     * Scale-in without losing a request: {@code /readyz} turns 503 and the control plane hears
     * {@code draining}; traffic is served normally for the drain delay (longer than the load balancer needs
     * to notice); then the listener closes, every connection ends after its current exchange, and whatever
     * is still in flight after the drain timeout is cut by {@link #close}. Blocking: for the shutdown hook.
     */
    public void drainAndClose() {
        log.info("draining: not ready from now, serving for {} more, then closing (timeout {})",
                settings.drainDelay(), settings.drainTimeout());
        drain.begin();
        configClient.drain();
        // Still warming up: /readyz has never been 200, so no load balancer sends clients and there is
        // nothing to wait for. This is what makes SIGTERM during the warm-up end the process at once.
        if (warmup.stop()) {
            log.info("SIGTERM during the warm-up: no drain delay (never ready)");
        } else {
            sleep(settings.drainDelay().toNanos());
        }
        if (proxyChannel != null) {
            proxyChannel.close().syncUninterruptibly();
        }
        if (tlsChannel != null) {
            tlsChannel.close().syncUninterruptibly();
        }
        streams.stopAccepting(); // stream connections are in clients: they get the drain timeout, then close() cuts them
        drain.closeConnections(clients);
        long deadline = System.nanoTime() + settings.drainTimeout().toNanos();
        while (!clients.isEmpty() && System.nanoTime() < deadline) {
            sleep(TimeUnit.MILLISECONDS.toNanos(20)); // a shutdown hook, not a test: polling is the simple way
        }
        if (clients.isEmpty()) {
            log.info("drained: no client connections left");
        } else {
            log.warn("drain timeout: closing {} connections with requests still in flight", clients.size());
        }
        close();
    }

    /** Sleeps the whole time: an interrupt must not shorten the drain (or turn the wait loop into a spin). */
    private static void sleep(long nanos) {
        boolean interrupted = false;
        long end = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = end - System.nanoTime()) {
            try {
                TimeUnit.NANOSECONDS.sleep(left);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops accepting, closes client connections and the config stream at once (tests, failed start). */
    @Override
    public synchronized void close() {
        if (closed.getCount() == 0) {
            return;
        }
        log.info("shutting down");
        warmup.stop();
        configClient.close();
        if (health != null) {
            health.close();
        }
        if (streams != null) {
            streams.close();
        }
        if (proxyChannel != null) {
            proxyChannel.close().syncUninterruptibly();
        }
        if (tlsChannel != null) {
            tlsChannel.close().syncUninterruptibly();
        }
        if (statusChannel != null) {
            statusChannel.close().syncUninterruptibly();
        }
        clients.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        loopResources.forEach(LoopResources::close);
        responseCache.close();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        acceptor.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (accessLog != null) {
            accessLog.close(); // after the loops: the last requests' lines are written too
        }
        closed.countDown();
    }

    public static void main(String[] args) throws InterruptedException {
        // Leak detection samples buffers and records a stack trace for each sampled one: a debugging aid
        // that costs every request. Tests run the proxy in-process and keep Netty's default; a process can
        // turn it back on with -Dio.netty.leakDetection.level=simple (or paranoid).
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        // --train (the launcher's `edgeway train`): run the warm-up, then exit cleanly, so the JVM writes the
        // AOT cache (JDK 25) or AppCDS archive it was told to record, from traffic through the real pipeline.
        boolean train = List.of(args).contains("--train");
        String[] rest = java.util.Arrays.stream(args).filter(a -> !a.equals("--train")).toArray(String[]::new);
        Settings settings;
        WarmupSettings warmupSettings;
        try {
            settings = Settings.from(rest, System.getenv());
            warmupSettings = WarmupSettings.from(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("edgeway dataplane: " + e.getMessage());
            System.exit(2);
            return;
        }
        DataPlane dp = start(settings, StreamSettings.fromEnv(System.getenv(), settings.drainTimeout()), warmupSettings);
        if (train) {
            dp.warmup().await(2, TimeUnit.MINUTES); // bounded by its own timeout (at most 60 s) already
            System.out.println("edgeway dataplane trained: " + dp.warmup().answeredOk() + " requests");
            dp.close();
            System.exit(0); // a normal exit: the cache is written now
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dp.drainAndClose();
            System.out.flush();
            // SIGTERM would otherwise end the JVM with 143; a completed drain is a clean exit for systemd/ASG.
            Runtime.getRuntime().halt(0);
        }, "edgeway-shutdown"));
        // tls= last: tools parse "proxy=... status=... node=..." as it was before the TLS port existed
        System.out.println("edgeway dataplane listening proxy=" + dp.proxyPort() + " status=" + dp.statusPort()
                + " node=" + dp.nodeId() + " tls=" + dp.tlsPort());
        System.out.flush();
        dp.closed.await();
    }

    /** A client-facing listener: both proxy ports take the same socket options. */
    private Channel listen(Class<? extends ServerSocketChannel> serverClass, ChannelHandler init, String address, int port)
            throws InterruptedException {
        return new ServerBootstrap()
                .group(acceptor, workers)
                .channel(serverClass)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childHandler(init)
                .bind(address, port).sync().channel();
    }
}
