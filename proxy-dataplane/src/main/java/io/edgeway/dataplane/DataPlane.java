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
import io.edgeway.dataplane.tls.TlsEngine;
import io.edgeway.dataplane.tls.TlsInitializer;
import io.edgeway.dataplane.upstream.HealthChecker;
import io.edgeway.dataplane.upstream.TargetHealthReport;
import io.edgeway.dataplane.warmup.Warmup;
import io.edgeway.dataplane.warmup.WarmupSettings;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The proxy process: listeners, event loops, the config stream. {@link #start} returns it running. */
public final class DataPlane implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DataPlane.class);
    /** How long an idle upstream keep-alive connection stays pooled: {@link UpstreamIdle}. */
    static final long POOL_IDLE_MS = UpstreamIdle.millis(System.getenv());

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
        Transport transport = Transport.detect();
        Class<? extends SocketChannel> socketClass = transport.socketClass();
        this.acceptor = new MultiThreadIoEventLoopGroup(1, transport.io());
        this.workers = new MultiThreadIoEventLoopGroup(settings.workers(), transport.io());
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
                version -> {
                    responseCache.apply(configs.get().cachePurges()); // before the Ack: acked means purged
                    wakeHealthClock();
                });
        configClient.onFleetShare(rateLimits::fleetShare);
        metrics.limits(rateLimits, connectionLimits);
        this.streams = new StreamListeners(new StreamNet(acceptor, workers, transport.serverClass(), socketClass,
                transport.datagramClass(), clients, settings.proxyAddress()),
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
        log.info("transport {}", transport.name());
        ProxyInitializer proxyInit = new ProxyInitializer(configs, loops, metrics, clients, settings.client(), drain)
                .withLimits(settings.limits(), connectionLimits);
        Class<? extends ServerSocketChannel> serverClass = transport.serverClass();
        try {
            proxyChannel = listen(serverClass, proxyInit, settings.proxyAddress(), settings.proxyPort());
            tlsChannel = listen(serverClass, new TlsInitializer(proxyInit, configs, settings.tls().defaults(), metrics.tls()),
                    settings.proxyAddress(), settings.tls().port());
            // Not ready before the warm-up has even begun: a config from the disk cache is applied by now.
            warmup = warmupSettings.on() ? Warmup.pending() : Warmup.none();
            StatusHandler status = new StatusHandler(configs, metrics, drain, () -> warmup.done());
            statusChannel = Listeners.status(acceptor, serverClass, status, settings.proxyAddress(), settings.statusPort());
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
        warmup = Warmup.start(warmupSettings, workers, transport.io(), serverClass, socketClass, settings.client(), POOL_IDLE_MS);
    }

    /** A new config's upstreams are probed and reported at once, not at the health clock's next tick. */
    private void wakeHealthClock() {
        HealthChecker h = health; // null until the constructor has made it: its first tick reads the config then
        if (h != null) {
            h.wake();
        }
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

    /** For tests: queues {@code task} on every worker event loop, e.g. to hold them so events line up in one loop turn. */
    void runOnEveryWorkerLoop(Runnable task) {
        workers.forEach(loop -> loop.execute(task));
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
            ShutdownWaits.sleep(settings.drainDelay().toNanos());
        }
        if (proxyChannel != null) {
            proxyChannel.close().syncUninterruptibly();
        }
        if (tlsChannel != null) {
            tlsChannel.close().syncUninterruptibly();
        }
        streams.stopAccepting(); // stream connections are in clients: they get the drain timeout, then close() cuts them
        drain.closeConnections(clients);
        if (ShutdownWaits.awaitNoConnections(clients, settings.drainTimeout())) {
            log.info("drained: no client connections left");
        } else {
            log.warn("drain timeout: closing {} connections with requests still in flight", clients.size());
        }
        close();
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

    /** The process: {@link DataPlaneMain}. */
    public static void main(String[] args) throws InterruptedException {
        DataPlaneMain.main(args);
    }

    /** Blocks until {@link #close} has run (the process's main thread). */
    void awaitClosed() throws InterruptedException {
        closed.await();
    }

    /** A client-facing listener ({@link Listeners#clientFacing}) on this proxy's event loops. */
    private Channel listen(Class<? extends ServerSocketChannel> serverClass, ChannelHandler init, String address, int port)
            throws InterruptedException {
        return Listeners.clientFacing(acceptor, workers, serverClass, init, address, port);
    }
}
