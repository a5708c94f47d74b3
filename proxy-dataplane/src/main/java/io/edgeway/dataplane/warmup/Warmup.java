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
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warm-up phase (issue 21): until it ends, {@code /readyz} stays 503, so a load balancer sends no client
 * while the JIT compiles. It is a second proxy listener on 127.0.0.1, served by the real workers through the
 * real pipeline ({@link ProxyInitializer}, the frontend, the relay, the HTTP/1.1 pool to a target), and a second
 * one on 127.0.0.1 for TLS (full and resumed handshakes, h2 by ALPN; {@link WarmupTls}) and a drill that checks
 * certificates as a snapshot of many new ones would, but with
 * everything the operator can see or reach kept apart: its own config (one route to {@link WarmupTarget} on
 * loopback, so not a byte can reach a configured target), its own metrics registry (never rendered on
 * {@code /metrics}), no access log or trace export, its own cache and rate limit buckets. It ends once it has had
 * {@code requests} answers AND the JIT has gone quiet (what the traffic made hot is compiled), or at
 * {@code timeout}, whichever is first, or at once on {@link #stop} (SIGTERM).
 */
public final class Warmup implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Warmup.class);
    private static final long CACHE_BYTES = 1 << 20;
    private static final int RATE_KEYS = 1024;
    /**
     * The JIT counts as quiet when it compiled for at most this long in each of {@link #QUIET_SAMPLES} samples
     * {@link #SAMPLE_MS} apart. Ending at a request count alone was measured to leave the compile queue full:
     * on JDK 17 (bench/cold-start.sh, loaded machine) the first seconds after ready then cost 1,000-2,600
     * CPU-µs per request, against 150-650 with no warm-up at all, as the compiler threads shared the proxy's core.
     */
    private static final long QUIET_COMPILE_MS = 10;
    private static final int QUIET_SAMPLES = 2;
    private static final long SAMPLE_MS = 250;

    private final CountDownLatch done = new CountDownLatch(1);
    /** {@link System#nanoTime()} when it ended, set just before {@link #done} turns true; for the log and tests. */
    private volatile long endedAtNanos;

    private final AtomicBoolean finishing = new AtomicBoolean();
    private final ChannelGroup connections = new DefaultChannelGroup("warmup", GlobalEventExecutor.INSTANCE);
    private volatile boolean stoppedEarly;
    private EventLoopGroup own;
    private WarmupTarget target;
    private Channel listener;
    private Channel tlsListener;
    private WarmupTls tls;
    private CertificateDrill drill;
    private WarmupLoad load;
    private Iterable<LoopResources> loops = java.util.List.of();
    private long startNanos;
    private long jitMillisAtStart;
    private long lastJitMillis = -1;
    private int quietSamples;

    private Warmup() {}

    /**
     * A warm-up that has not started yet and is not done: what {@code /readyz} sees between binding the status port
     * and {@link #start}, so a proxy whose config is already applied (from its disk cache) cannot answer 200 before
     * its warm-up begins. {@link #stop} ends it.
     */
    public static Warmup pending() {
        return new Warmup();
    }

    /** A warm-up that is over before it began: settings off, or tests that start a proxy in-process. */
    public static Warmup none() {
        Warmup w = new Warmup();
        w.endedAtNanos = System.nanoTime();
        w.done.countDown();
        return w;
    }

    /**
     * Starts the warm-up on {@code workers} (the proxy's own loops); returns at once. A failure to start is
     * logged and ends the warm-up: it may delay readiness, never prevent it.
     */
    public static Warmup start(WarmupSettings settings, EventLoopGroup workers, IoHandlerFactory io,
            Class<? extends ServerSocketChannel> serverClass, Class<? extends SocketChannel> socketClass,
            ClientLimits limits, long poolIdleMillis) {
        if (!settings.on()) {
            return none();
        }
        Warmup w = new Warmup();
        try {
            w.begin(settings, workers, io, serverClass, socketClass, limits, poolIdleMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            w.finish("interrupted while starting");
        } catch (RuntimeException | InvalidConfigException | javax.net.ssl.SSLException e) {
            log.warn("warm-up could not start, the proxy is ready without it: {}", e.toString());
            w.finish("failed to start");
        }
        return w;
    }

    private void begin(WarmupSettings settings, EventLoopGroup workers, IoHandlerFactory io,
            Class<? extends ServerSocketChannel> serverClass, Class<? extends SocketChannel> socketClass,
            ClientLimits limits, long poolIdleMillis) throws InterruptedException, InvalidConfigException, javax.net.ssl.SSLException {
        startNanos = System.nanoTime();
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        jitMillisAtStart = jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
        // One thread for the synthetic clients and the target: the workers' time goes to the proxy's own code.
        own = new MultiThreadIoEventLoopGroup(1, io);
        target = WarmupTarget.bind(own, serverClass);
        ConfigHolder configs = new ConfigHolder();
        Metrics metrics = new Metrics(configs::version);
        metrics.watch(configs, true); // per-route meters on, as in production by default: their code is hot too
        WarmupTls tls = WarmupTls.create(); // before the config: its certificate and ticket key are in it
        configs.set(RuntimeConfig.from(tls.addTo(snapshot(target.port()).toBuilder()).build(), RuntimeConfig.NONE,
                configs.meters()));
        ResponseCache cache = new ResponseCache(CACHE_BYTES);
        RateLimits rateLimits = new RateLimits(RATE_KEYS);
        Map<EventLoop, LoopResources> perLoop = new HashMap<>();
        for (EventExecutor e : workers) {
            perLoop.put((EventLoop) e, new LoopResources((EventLoop) e, socketClass, poolIdleMillis, metrics,
                    Observers.NONE, cache, rateLimits));
        }
        loops = perLoop.values();
        ProxyInitializer init = new ProxyInitializer(configs, perLoop, metrics, connections, limits, new Drain());
        listener = new ServerBootstrap().group(own, workers).channel(serverClass)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childHandler(init)
                .bind("127.0.0.1", 0).sync().channel();
        int port = ((InetSocketAddress) listener.localAddress()).getPort();
        // The TLS listener: SNI lookup, the engine, ticket keys, ALPN to h2, all on the same workers.
        tlsListener = new ServerBootstrap().group(own, workers).channel(serverClass)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childHandler(TlsInitializer.forWarmup(init, configs, metrics.tls()))
                .bind("127.0.0.1", 0).sync().channel();
        int tlsPort = ((InetSocketAddress) tlsListener.localAddress()).getPort();
        this.tls = tls;
        load = new WarmupLoad(own, socketClass, port, tls, tlsPort);
        own.scheduleAtFixedRate(() -> checkDone(jit, settings.requests()), SAMPLE_MS, SAMPLE_MS, TimeUnit.MILLISECONDS);
        own.schedule(() -> finishSoon("timeout " + settings.timeout()), settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        log.info("warm-up: synthetic traffic through the proxy's own pipeline on 127.0.0.1:{} (TLS {}) to 127.0.0.1:{}"
                + " (at most {} requests, {}); /readyz is 503 until it ends", port, tlsPort, target.port(),
                settings.requests(), settings.timeout());
        load.start();
        drill = CertificateDrill.start(tls);
    }

    /** On the warm-up's loop: enough answers, and the JIT quiet (or unable to say: then the count alone). */
    private void checkDone(CompilationMXBean jit, int requests) {
        if (load.answered() < requests || !drill.done()) {
            return;
        }
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            finishSoon("requests done");
            return;
        }
        long now = jit.getTotalCompilationTime();
        quietSamples = lastJitMillis >= 0 && now - lastJitMillis <= QUIET_COMPILE_MS ? quietSamples + 1 : 0;
        lastJitMillis = now;
        if (quietSamples >= QUIET_SAMPLES) {
            finishSoon("requests done, JIT quiet");
        }
    }

    /** The one route and upstream the warm-up knows; nothing in it names anything but its own target. */
    static Snapshot snapshot(int targetPort) {
        return Snapshot.newBuilder().setVersion(1).setNonce("warmup")
                .addUpstreams(Upstream.newBuilder().setName("edgeway-warmup")
                        .addTargets(Target.newBuilder().setHost("127.0.0.1").setPort(targetPort).setWeight(1)))
                .addRoutes(Route.newBuilder().setName("edgeway-warmup").addHosts(WarmupLoad.HOST)
                        .setUpstream("edgeway-warmup"))
                .build();
    }

    /** Synthetic requests answered 200 through the proxy so far. */
    public int answeredOk() {
        return load == null ? 0 : load.answered() - load.failed();
    }

    /** TLS handshakes the synthetic clients completed, full and resumed (resumption is told by the OpenSSL engine only). */
    public int tlsFullHandshakes() {
        return tls == null ? 0 : tls.fullHandshakes();
    }

    public int tlsResumedHandshakes() {
        return tls == null ? 0 : tls.resumedHandshakes();
    }

    /** Certificates the drill checked (as new ones in a snapshot). */
    public int certificatesChecked() {
        return drill == null ? 0 : drill.checked();
    }

    /** Answers that came over the TLS listener (HTTP/1.1 and h2). */
    public int answeredOverTls() {
        return load == null ? 0 : load.answeredOverTls();
    }

    /** 200s over h2 (chosen by ALPN) on the TLS listener. */
    public int answeredH2OverTls() {
        return load == null ? 0 : load.okH2OverTls();
    }

    /** The counts, for the log and a failing test's message. */
    @Override
    public String toString() {
        return "Warmup[answered " + answered() + ", not 200 " + (load == null ? 0 : load.failed()) + ", over TLS "
                + answeredOverTls() + ", h2 over TLS ok " + answeredH2OverTls() + ", TLS handshakes full "
                + tlsFullHandshakes() + ", resumed " + tlsResumedHandshakes() + ", certificates checked "
                + certificatesChecked() + (done() ? ", done" : "") + "]";
    }

    private int answered() {
        return load == null ? 0 : load.answered();
    }

    /** True once the warm-up has ended (or never ran): the proxy may report ready. */
    public boolean done() {
        return done.getCount() == 0;
    }

    /** {@link System#nanoTime()} at its end; meaningful once {@link #done} is true. */
    public long endedAtNanos() {
        return endedAtNanos;
    }

    /** Waits until it has ended; for tests and the launcher's training run. */
    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return done.await(timeout, unit);
    }

    /**
     * SIGTERM or close: stops sending at once and tears the warm-up down. Returns whether it was still running,
     * i.e. the proxy never reported ready and no load balancer can be sending it clients.
     */
    public boolean stop() {
        boolean running = !done();
        if (running) {
            stoppedEarly = true;
        }
        finish("stopped");
        return running;
    }

    @Override
    public void close() {
        stop();
    }

    /** From the warm-up's own loop: tearing down waits for that loop, so it runs on another thread. */
    private void finishSoon(String reason) {
        if (!finishing.get()) {
            Thread t = new Thread(() -> finish(reason), "edgeway-warmup-end");
            t.setDaemon(true);
            t.start();
        }
    }

    private void finish(String reason) {
        if (!finishing.compareAndSet(false, true)) {
            try {
                done.await(); // a second caller (SIGTERM during a timeout) returns only once it is all closed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        try {
            if (load != null) {
                load.stop();
            }
            if (drill != null) {
                drill.stop();
            }
            if (listener != null) {
                listener.close().syncUninterruptibly();
            }
            if (tlsListener != null) {
                tlsListener.close().syncUninterruptibly();
            }
            connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            loops.forEach(LoopResources::close);
            if (target != null) {
                target.close();
            }
            if (own != null) {
                own.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
            }
        } finally {
            endedAtNanos = System.nanoTime();
            done.countDown();
        }
        if (startNanos != 0) {
            CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
            long jitMs = jitMillisAtStart < 0 ? -1 : jit.getTotalCompilationTime() - jitMillisAtStart;
            log.info("warm-up ended ({}{}): {} requests ({} not 200, {} over TLS; TLS handshakes {} full, {} resumed; {} certificates checked) in {} ms,"
                    + " JIT compile time during it {} ms", reason, stoppedEarly ? ", before ready" : "", answered(),
                    load == null ? 0 : load.failed(), answeredOverTls(), tlsFullHandshakes(), tlsResumedHandshakes(), certificatesChecked(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), jitMs);
        }
    }
}
