package io.edgeway.controlplane.rollout;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.discovery.Node;
import io.edgeway.controlplane.discovery.NodeLedger;
import io.edgeway.controlplane.discovery.NodeSelector;
import io.edgeway.controlplane.discovery.RolloutPlan;
import io.edgeway.controlplane.discovery.SnapshotCache;
import io.edgeway.controlplane.store.Rollout;
import io.edgeway.controlplane.store.Rollout.State;
import io.edgeway.controlplane.store.RolloutStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this replica's {@link RolloutPlan} in step with the rollouts table and, while a rollout bakes, decides
 * it: a Nack from a canary node, a canary error ratio or p99 over the limits rolls back (see {@link CanaryHealth}),
 * and the end of the bake promotes. Every replica runs one; the conditional state moves let only one act.
 * The state lives in PostgreSQL, so a restarted control plane carries on where the last one stopped.
 */
public final class RolloutWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RolloutWatcher.class);
    public static final Duration DEFAULT_TICK = Duration.ofSeconds(1);
    /**
     * A replica sees only the nodes connected to it. At the end of the bake, one without an applied canary waits
     * this much longer before rolling back for "no canary applied", so a replica whose canaries did apply
     * promotes first (within a tick) instead of losing the race to a replica that never saw them.
     */
    static final Duration UNSEEN_CANARY_GRACE = Duration.ofSeconds(10);

    private final RolloutStore store;
    private final SnapshotCache cache;
    private final NodeLedger ledger;
    private final Clock clock;
    private volatile RolloutActions actions;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "edgeway-rollout-watcher");
        t.setDaemon(true);
        return t;
    });

    public RolloutWatcher(RolloutStore store, SnapshotCache cache, NodeLedger ledger, Clock clock) {
        this.store = requireNonNull(store, "store");
        this.cache = requireNonNull(cache, "cache");
        this.ledger = requireNonNull(ledger, "ledger");
        this.clock = requireNonNull(clock, "clock");
    }

    /** Starts deciding with {@code actions} every {@code tick}. */
    public RolloutWatcher start(RolloutActions actions, Duration tick) {
        this.actions = requireNonNull(actions, "actions");
        timer.scheduleWithFixedDelay(this::tick, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Reads the newest rollout and installs its plan; called before each snapshot install and on every tick. */
    public void refreshPlan() {
        cache.plan(plan(store.newest()));
    }

    static RolloutPlan plan(Optional<Rollout> newest) {
        if (newest.isEmpty()) {
            return RolloutPlan.NONE;
        }
        Rollout r = newest.get();
        NodeSelector selector = NodeSelector.parse(r.selector()).withFallback(r.fallbackNode());
        if (r.state().open()) {
            return RolloutPlan.open(r.id(), r.revision(), r.previousRevision(), selector);
        }
        if (r.restoredRevision() != null) {
            return RolloutPlan.releasingAt(r.id(), r.revision(), r.previousRevision(), selector, r.restoredRevision());
        }
        return RolloutPlan.NONE;
    }

    private void tick() {
        try {
            refreshPlan();
            Optional<Rollout> newest = store.newest();
            if (newest.isPresent() && newest.get().state() == State.CANARY) {
                decide(newest.get());
            }
        } catch (RuntimeException e) {
            log.warn("rollout check failed; retrying at the next tick", e);
        }
    }

    private void decide(Rollout r) {
        RolloutPlan plan = cache.plan();
        String failure = CanaryHealth.failure(r, plan, ledger);
        if (failure != null) {
            actions.rollBack(r.id(), State.ROLLED_BACK, failure);
            return;
        }
        if (r.bakeUntil() != null && !clock.instant().isBefore(r.bakeUntil())) {
            boolean anyApplied = ledger.list().stream()
                    .anyMatch(n -> plan.isCanary(n.id(), n.labels()) && n.appliedVersion() >= r.revision());
            if (anyApplied) {
                actions.promote(r.id(), "baked " + io.edgeway.controlplane.model.Durations.format(r.bake())
                        + " without a rejection, an error ratio over " + r.maxErrorRatio() + " or a p99 over "
                        + r.maxP99Ratio() + "x");
            } else if (!clock.instant().isBefore(r.bakeUntil().plus(UNSEEN_CANARY_GRACE))) {
                actions.rollBack(r.id(), State.ROLLED_BACK, "no canary node applied revision " + r.revision()
                        + " during the bake and the " + UNSEEN_CANARY_GRACE.toSeconds() + " s after it (selector "
                        + r.selector() + ")");
            }
        }
    }

    /** Whether node {@code n} is a canary of the open rollout, for the fleet view and ?wait=applied. */
    public boolean isCanary(Node n) {
        RolloutPlan p = cache.plan();
        return p.open() && p.isCanary(n.id(), n.labels());
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
