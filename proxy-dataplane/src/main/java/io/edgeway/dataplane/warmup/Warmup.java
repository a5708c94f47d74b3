package io.edgeway.dataplane.warmup;

import io.edgeway.dataplane.config.InvalidConfigException;
import io.edgeway.dataplane.listener.ClientLimits;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warm-up phase (issue 21): until it ends, {@code /readyz} stays 503, so a load balancer sends no client
 * while the JIT compiles. Synthetic clients ({@link WarmupLoad}) send plain and TLS traffic (full and resumed
 * handshakes, h2 by ALPN; {@link WarmupTls}) to the warm-up's own listeners ({@link WarmupProxy}), served by the
 * real workers through the real pipeline to a loopback target ({@link WarmupTarget}), with everything the
 * operator can see or reach kept apart; a drill ({@link CertificateDrill}) checks certificates as a snapshot of
 * many new ones would. It ends once it has had {@code requests} answers AND the JIT has settled (nothing compiling
 * or queued for a second while the synthetic traffic goes on: {@link JitSettled}), or at {@code timeout}, whichever
 * is first, or at once on {@link #stop} (SIGTERM).
 */
public final class Warmup implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Warmup.class);

    private final CountDownLatch done = new CountDownLatch(1);
    /** {@link System#nanoTime()} when it ended, set just before {@link #done} turns true; for the log and tests. */
    private volatile long endedAtNanos;

    private final AtomicBoolean finishing = new AtomicBoolean();
    private volatile boolean stoppedEarly;
    private EventLoopGroup own;
    private WarmupTarget target;
    private WarmupProxy proxy;
    private WarmupTls tls;
    private volatile CertificateDrill drill; // started by checkDone; read by finish and the counts
    private WarmupLoad load;
    private JitSettled jit;
    private volatile String endReason = "";
    private long startNanos;
    private long gcMillis = -1;
    private int jitNice; // set by begin: a warm-up that never began leaves the compiler threads as they are

    /** The end reason when the requests were done and the JIT had settled: the end a warm-up is meant to have. */
    public static final String END_SETTLED = "requests done, compilation settled";

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
        jitNice = settings.jitNice();
        jit = new JitSettled();
        // One thread for the synthetic clients and the target: the workers' time goes to the proxy's own code.
        own = new MultiThreadIoEventLoopGroup(1, io);
        target = WarmupTarget.bind(own, serverClass);
        WarmupTls tls = WarmupTls.create(); // before the config: its certificate and ticket key are in it
        proxy = WarmupProxy.bind(own, workers, serverClass, socketClass, limits, poolIdleMillis, target.port(), tls);
        this.tls = tls;
        load = new WarmupLoad(own, socketClass, proxy.plainPort(), tls, proxy.tlsPort());
        long drillAfterNanos = startNanos + settings.timeout().toNanos() / 2;
        own.scheduleAtFixedRate(() -> checkDone(settings.requests(), drillAfterNanos), JitSettled.SAMPLE_MS,
                JitSettled.SAMPLE_MS, TimeUnit.MILLISECONDS);
        own.schedule(() -> finishSoon("timeout " + settings.timeout()), settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        log.info("warm-up: synthetic traffic through the proxy's own pipeline on 127.0.0.1:{} (TLS {}) to 127.0.0.1:{}"
                + " (at most {} requests, {}); /readyz is 503 until it ends", proxy.plainPort(), proxy.tlsPort(),
                target.port(), settings.requests(), settings.timeout());
        load.start();
    }

    /**
     * On the warm-up's loop: enough answers, then the certificate drill, and the JIT settled (or unable to say: then
     * the count alone). The drill starts once the requests are done or half the timeout has passed: it costs
     * 2.5-3 s of CPU and its own compilations, and started at once beside the requests on a proxy pinned to one
     * loaded core (bench/cold-start.sh DIAG=1) it left the requests 68-233 answers in the whole timeout, so the
     * request path, which every client runs from the first second, was compiled after ready instead. Then,
     * until the JIT has settled, the clients slow down whenever methods wait to compile ({@link WarmupLoad#pace}),
     * and run flat out again once the queue is empty, to see whether that makes more code hot.
     */
    private void checkDone(int requests, long drillAfterNanos) {
        if (finishing.get()) {
            return; // no drill is started once the warm-up is being torn down
        }
        boolean requestsDone = load.answered() >= requests;
        if (drill == null && (requestsDone || System.nanoTime() - drillAfterNanos >= 0)) {
            drill = CertificateDrill.start(tls);
        }
        if (!requestsDone || drill == null || !drill.done()) {
            return;
        }
        if (!jit.measurable()) {
            finishSoon("requests done");
        } else if (jit.sampleSettled()) {
            finishSoon(END_SETTLED);
        } else {
            load.pace(jit.lastQueued() > 0); // the compiler threads get the core until the queue is empty
        }
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

    /** Whether the certificate drill has run to its end: after it, only the JIT's settling keeps the warm-up going. */
    public boolean certificateDrillDone() {
        CertificateDrill d = drill;
        return d != null && d.done();
    }

    /** Synthetic requests answered with another status than 200 (none, unless a warm-up request found no route). */
    public int answeredNot200() {
        return load == null ? 0 : load.failed();
    }

    /** Requests that reached the warm-up's target with the X-Request-Id and traceparent the proxy sets. */
    public int requestsWithTraceContext() {
        return target == null ? 0 : target.requestsWithTraceContext();
    }

    /** Plain HTTP/1.1 connections the synthetic clients opened (short ones are closed and opened again). */
    public int plainConnectionsOpened() {
        return load == null ? 0 : load.plainConnectionsOpened();
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
                + certificatesChecked() + ", with trace context " + requestsWithTraceContext() + ", plain connections "
                + plainConnectionsOpened() + (done() ? ", done" : "") + "]";
    }

    private int answered() {
        return load == null ? 0 : load.answered();
    }

    /** True once the warm-up has ended (or never ran): the proxy may report ready. */
    public boolean done() {
        return done.getCount() == 0;
    }

    /** Why it ended ({@link #END_SETTLED}, "timeout PT1M", "stopped", ...); empty until it has. */
    public String endReason() {
        return endReason;
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

    /**
     * One full collection while {@code /readyz} is still 503, unless SIGTERM ended the warm-up. Start-up and the
     * warm-up leave ~20 MiB live in the young generation (pipelines, pools, the config, TLS contexts); without it
     * the first young collections after ready copy all of it between survivor spaces, and the one GC pause after
     * ready in bench/cold-start.sh DIAG=1 (loaded machine) was the longest stall there: 61 ms on JDK 17, 108 ms on
     * 25. Collected here, it is in the old generation and later young collections copy only requests' garbage.
     * Returns its milliseconds, or -1 when not run. A JVM with -XX:+DisableExplicitGC ignores it.
     */
    private long collectBeforeReady() {
        if (startNanos == 0 || stoppedEarly) {
            return -1;
        }
        long t0 = System.nanoTime();
        System.gc();
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
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
            if (proxy != null) {
                proxy.close();
            }
            if (target != null) {
                target.close();
            }
            if (own != null) {
                own.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
            }
            gcMillis = collectBeforeReady();
            if (!stoppedEarly) {
                CompilerThreadNice.apply(jitNice); // before ready, so no client request meets a full-weight C2
            }
        } finally {
            endReason = reason;
            endedAtNanos = System.nanoTime();
            done.countDown();
        }
        if (startNanos != 0) {
            long jitMs = jit.millisSinceStart();
            // The JVM's uptime: the same clock as -XX:+PrintCompilation and -Xlog's uptime, so what the JIT, the
            // class loader and GC did after ready can be told apart (bench/cold-start.sh DIAG=1).
            log.info("warm-up ended ({}{}): {} requests ({} not 200, {} over TLS; TLS handshakes {} full, {} resumed; {} certificates checked) in {} ms,"
                    + " JIT compile time during it {} ms, methods compiling or queued at the last sample {}, full GC before ready {} ms;"
                    + " JVM uptime {} ms", reason, stoppedEarly ? ", before ready" : "", answered(),
                    load == null ? 0 : load.failed(), answeredOverTls(), tlsFullHandshakes(), tlsResumedHandshakes(), certificatesChecked(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), jitMs, jit.lastQueued(), gcMillis,
                    ManagementFactory.getRuntimeMXBean().getUptime());
        }
    }
}
