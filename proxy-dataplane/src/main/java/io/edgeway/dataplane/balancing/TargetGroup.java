package io.edgeway.dataplane.balancing;

import static java.util.Objects.requireNonNull;

import io.edgeway.dataplane.tls.UpstreamTls;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A named group of targets for one config version. The request path calls {@link #pick}, which reads one
 * volatile view (a balancer over the targets that are currently available) and never locks. The view is
 * rebuilt by {@link #refresh} off the request path (the health ticker) or, once, by the exchange whose
 * failure ejects a target. When no target is available the view fails open over all of them and counts it.
 */
public final class TargetGroup {
    static final int STEPS = 10; // slow start ramps weight in tenths, so a ramp rebuilds at most ten times

    private final String name;
    private final List<Endpoint> targets;
    private final Policy policy;
    private final HashKey hashKey;
    private final long slowStartNanos;
    private final HealthPolicy health;
    private final LongAdder failOpen;
    private final LongAdder retries;
    private final RetryBudget retryBudget;
    private final Protocol protocol;
    private final UpstreamTls tls; // null: plaintext
    private volatile View view;
    private int[] lastStates; // guarded by this
    private volatile Runnable onEjection = () -> { };

    private record View(LoadBalancer balancer, boolean failOpen) {}

    /** How requests reach the targets. gRPC streams always go over HTTP/2, whatever this says. */
    public enum Protocol {
        /** HTTP/1.1 on pooled keep-alive connections. */
        HTTP1,
        /** HTTP/2 cleartext with prior knowledge: each request a stream on one shared connection per target. */
        H2C
    }

    public TargetGroup(String name, List<Endpoint> targets, Policy policy, HashKey hashKey, long slowStartMs,
            HealthPolicy health, TargetGroup previous) {
        this(name, targets, policy, hashKey, slowStartMs, health, Protocol.HTTP1, previous);
    }

    public TargetGroup(String name, List<Endpoint> targets, Policy policy, HashKey hashKey, long slowStartMs,
            HealthPolicy health, Protocol protocol, TargetGroup previous) {
        this(name, targets, policy, hashKey, slowStartMs, health, protocol, null, previous);
    }

    /** {@code tls} null: plaintext to the targets. */
    public TargetGroup(String name, List<Endpoint> targets, Policy policy, HashKey hashKey, long slowStartMs,
            HealthPolicy health, Protocol protocol, UpstreamTls tls, TargetGroup previous) {
        this.protocol = requireNonNull(protocol, "protocol");
        this.tls = tls;
        this.name = requireNonNull(name, "name");
        this.targets = List.copyOf(requireNonNull(targets, "targets"));
        this.policy = requireNonNull(policy, "policy");
        if (policy == Policy.CONSISTENT_HASH) {
            requireNonNull(hashKey, "hashKey");
        }
        this.hashKey = hashKey;
        this.slowStartNanos = TimeUnit.MILLISECONDS.toNanos(slowStartMs);
        this.health = health == null ? HealthPolicy.NONE : health;
        this.failOpen = previous != null ? previous.failOpen : new LongAdder();
        this.retries = previous != null ? previous.retries : new LongAdder();
        this.retryBudget = previous != null ? previous.retryBudget : new RetryBudget();
        for (Endpoint t : this.targets) {
            t.owner(this);
        }
        refresh(System.nanoTime());
    }

    public static TargetGroup roundRobin(String name, List<Endpoint> targets) {
        return new TargetGroup(name, targets, Policy.ROUND_ROBIN, null, 0, HealthPolicy.NONE, null);
    }

    /** The target for this request, counted as in flight until {@link Endpoint#release}; null if none. */
    public Endpoint pick(HttpHeaders headers, String clientIp) {
        View v = view;
        Endpoint t = v.balancer.pick(headers, clientIp);
        if (t != null) {
            t.state().begin();
            if (v.failOpen) {
                failOpen.increment();
            }
        }
        return t;
    }

    /**
     * Run (on the request's event loop) when a passive failure ejects a target: the health clock, which ends
     * ejections, sleeps while nothing is timed and must hear that one started. Set by {@link
     * io.edgeway.dataplane.upstream.HealthChecker} when it first sees the config.
     */
    public void onEjection(Runnable wake) {
        this.onEjection = requireNonNull(wake, "wake");
    }

    /** Whether time alone will change the view: a target is ejected (until its time is up) or ramping up. */
    public synchronized boolean settling() {
        for (int step : lastStates) {
            if (step > 0 && step < STEPS) {
                return true;
            }
        }
        for (Endpoint t : targets) {
            if (t.state().ejected()) {
                return true;
            }
        }
        return false;
    }

    void failed(Endpoint t) {
        HealthPolicy.Passive p = health.passive();
        if (p == null) {
            return;
        }
        long now = System.nanoTime();
        if (t.state().failed(p.consecutiveFailures(), TimeUnit.MILLISECONDS.toNanos(p.ejectionMs()), now)) {
            refresh(now); // rare, and it must not wait for the next tick: the next pick has to skip it
            onEjection.run();
        }
    }

    /** Rebuilds the view if a target's availability or slow-start step changed; true when it did. */
    public synchronized boolean refresh(long now) {
        int[] states = new int[targets.size()];
        for (int i = 0; i < states.length; i++) {
            TargetState s = targets.get(i).state();
            s.expireEjection(now);
            states[i] = s.available() ? step(s, now) : 0;
        }
        if (Arrays.equals(states, lastStates)) {
            return false;
        }
        lastStates = states;
        view = build(states);
        return true;
    }

    private int step(TargetState s, long now) {
        long elapsed = now - s.availableSince();
        if (slowStartNanos == 0 || elapsed >= slowStartNanos) {
            return STEPS;
        }
        return (int) Math.max(1, Math.min(STEPS, elapsed * STEPS / slowStartNanos + 1));
    }

    private View build(int[] states) {
        List<Endpoint> chosen = new ArrayList<>();
        List<Integer> steps = new ArrayList<>();
        for (int i = 0; i < states.length; i++) {
            if (targets.get(i).enabled() && states[i] > 0) {
                chosen.add(targets.get(i));
                steps.add(states[i]);
            }
        }
        boolean open = false;
        if (chosen.isEmpty()) {
            // Nothing healthy: better to try every enabled target than to refuse all traffic.
            for (Endpoint t : targets) {
                if (t.enabled()) {
                    chosen.add(t);
                    steps.add(STEPS);
                }
            }
            open = !chosen.isEmpty();
        }
        boolean ramping = steps.stream().anyMatch(s -> s < STEPS);
        int[] weights = new int[chosen.size()];
        for (int i = 0; i < weights.length; i++) {
            int base = policy == Policy.WEIGHTED_ROUND_ROBIN ? chosen.get(i).weight() : 1;
            weights[i] = base * steps.get(i);
        }
        LoadBalancer lb = switch (policy) {
            case ROUND_ROBIN -> ramping ? LoadBalancer.weightedRoundRobin(chosen, weights)
                    : LoadBalancer.roundRobin(chosen);
            case WEIGHTED_ROUND_ROBIN -> LoadBalancer.weightedRoundRobin(chosen, weights);
            case LEAST_REQUEST -> LoadBalancer.leastRequest(chosen);
            case CONSISTENT_HASH -> LoadBalancer.consistentHash(chosen, hashKey);
        };
        return new View(lb, open);
    }

    public String name() {
        return name;
    }

    public List<Endpoint> targets() {
        return targets;
    }

    /** What a consistent-hash policy hashes on (for an explanation); {@code null} for the other policies. */
    public HashKey hashKey() {
        return hashKey;
    }

    public Policy policy() {
        return policy;
    }

    public Protocol protocol() {
        return protocol;
    }

    /** TLS to the targets, or null for plaintext. */
    public UpstreamTls tls() {
        return tls;
    }

    public HealthPolicy health() {
        return health;
    }

    /** Shared with the previous version of this upstream, like its targets' state. */
    public RetryBudget retryBudget() {
        return retryBudget;
    }

    public boolean failingOpen() {
        return view.failOpen;
    }

    public long failOpenTotal() {
        return failOpen.sum();
    }

    /** A request failed over to another target of this upstream (counted for the metrics page). */
    public void retried() {
        retries.increment();
    }

    public long retriesTotal() {
        return retries.sum();
    }
}
