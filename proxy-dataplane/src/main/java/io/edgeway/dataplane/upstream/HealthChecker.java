package io.edgeway.dataplane.upstream;

import io.edgeway.dataplane.balancing.HealthPolicy;
import io.edgeway.dataplane.balancing.Endpoint;
import io.edgeway.dataplane.balancing.TargetState;
import io.edgeway.dataplane.balancing.TargetGroup;
import io.edgeway.dataplane.config.ConfigHolder;
import io.edgeway.dataplane.config.RuntimeConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Active health checks and the health clock, on one thread of their own so that neither ever runs on a
 * proxy event loop. Every tick it (1) starts the probes that are due for targets of upstreams with an
 * active check, and (2) asks every upstream to refresh its balancer view, which ends expired ejections
 * and advances slow-start ramps. Results are published through {@link TargetState} and {@link TargetGroup};
 * the request path only reads them.
 *
 * <p>The next tick is set for when something is due, not every {@link #TICK_MS}: the next probe, or a tick
 * clock while a target is ejected or ramping up, else {@link #IDLE_TICK_MS}. A fixed 100 ms clock woke an
 * idle proxy ten times a second for nothing. What happens between ticks wakes it instead: a probe's
 * result, a passive ejection ({@link TargetGroup#onEjection}) and an applied config ({@link #wake}).
 */
public final class HealthChecker implements AutoCloseable {
    static final long TICK_MS = 100;
    /** The longest sleep: a backstop for a change nothing wakes the clock for, not the schedule. */
    static final long IDLE_TICK_MS = 1_000;

    private final ConfigHolder configs;
    private final Consumer<RuntimeConfig> onChange;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
            new DefaultThreadFactory("edgeway-health", true), NioIoHandler.newFactory());
    private final EventLoop loop = group.next();
    private final Bootstrap bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true);
    // Loop-only: probe bookkeeping per target state, dropped when the target leaves the config.
    private final Map<TargetState, ProbeState> probes = new IdentityHashMap<>();
    private RuntimeConfig seen; // loop-only: a new config version is reported once even if no health changed
    private ScheduledFuture<?> next; // loop-only: the one pending tick
    private volatile long ticks; // written by the loop only; read by tests

    private static final class ProbeState {
        long nextAt;
        boolean inFlight;
        int successes;
        int failures;
    }

    /**
     * {@code onChange} hears, on the health thread, each tick where some target's health changed or a new
     * config was applied.
     */
    public HealthChecker(ConfigHolder configs, Consumer<RuntimeConfig> onChange) {
        this.configs = configs;
        this.onChange = onChange;
        loop.execute(() -> next = loop.schedule(this::tick, TICK_MS, TimeUnit.MILLISECONDS));
    }

    /** Ticks now rather than when next due, from any thread: a config was applied or a target ejected. */
    public void wake() {
        try {
            loop.execute(this::tick);
        } catch (RejectedExecutionException e) {
            // closed: no clock to wake
        }
    }

    /** Ticks run so far (for tests: an idle checker must not spin). */
    long ticks() {
        return ticks;
    }

    private void tick() {
        if (next != null) {
            next.cancel(false); // a wake came first: this tick replaces it, and sets the next one itself
        }
        ticks++;
        RuntimeConfig config = configs.get();
        long now = System.nanoTime();
        long due = now + TimeUnit.MILLISECONDS.toNanos(IDLE_TICK_MS);
        Set<TargetState> live = new HashSet<>();
        boolean newConfig = config != seen;
        boolean changed = newConfig;
        seen = config;
        for (TargetGroup u : config.upstreams().values()) {
            if (newConfig) {
                u.onEjection(this::wake);
            }
            HealthPolicy.Active active = u.health().active();
            for (Endpoint t : u.targets()) {
                if (active == null) {
                    continue;
                }
                live.add(t.state());
                ProbeState p = probes.computeIfAbsent(t.state(), k -> new ProbeState());
                if (!p.inFlight && now - p.nextAt >= 0) {
                    p.inFlight = true;
                    p.nextAt = now + TimeUnit.MILLISECONDS.toNanos(active.intervalMs());
                    HealthProbe.run(bootstrap, t, active, ok -> probed(u, t, active, p, ok));
                }
                if (p.nextAt - now > 0 && p.nextAt - due < 0) {
                    due = p.nextAt; // in flight or not; a probe that overran its interval ticks when it ends (probed)
                }
            }
            changed |= u.refresh(now);
            if (u.settling() && now + TimeUnit.MILLISECONDS.toNanos(TICK_MS) - due < 0) {
                due = now + TimeUnit.MILLISECONDS.toNanos(TICK_MS);
            }
        }
        probes.keySet().retainAll(live);
        next = loop.schedule(this::tick, Math.max(0, due - now), TimeUnit.NANOSECONDS);
        if (changed) {
            onChange.accept(config);
        }
    }

    private void probed(TargetGroup u, Endpoint t, HealthPolicy.Active active, ProbeState p, boolean ok) {
        p.inFlight = false;
        TargetState s = t.state();
        long now = System.nanoTime();
        boolean flipped = false;
        if (ok) {
            p.failures = 0;
            if (++p.successes >= active.healthyThreshold() && !s.activeHealthy()) {
                s.activeHealthy(true, now);
                changed(u, now);
                flipped = true;
            }
        } else {
            p.successes = 0;
            if (++p.failures >= active.unhealthyThreshold() && s.activeHealthy()) {
                s.activeHealthy(false, now);
                changed(u, now);
                flipped = true;
            }
        }
        // A tick only when one is needed now: a ramp's clock may have begun, or the probe overran its interval (the
        // tick left it out). Not after every probe: with a thousand targets that is a thousand full ticks per interval.
        if (flipped || now - p.nextAt >= 0) {
            loop.execute(this::tick);
        }
    }

    private void changed(TargetGroup u, long now) {
        if (u.refresh(now)) {
            onChange.accept(configs.get());
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
