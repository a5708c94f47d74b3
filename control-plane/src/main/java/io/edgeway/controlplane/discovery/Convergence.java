package io.edgeway.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Waits, without a thread, until the fleet has applied a version: a future per waiter, completed from the
 * ledger's Ack/Nack/disconnect notifications or by its timeout.
 */
public final class Convergence {
    /**
     * Where each awaited node stands; {@code converged} when every one of them applied the version whole. A node
     * that applied it with entities quarantined (issue 22) is listed in {@code applied} and again in
     * {@code quarantined}, and the write is not converged: e.g. a site deployment whose files that node could not
     * fetch is not ready there, whatever version number it acked (issue 17's "?wait=applied covers it").
     */
    public record Result(long version, List<String> applied, List<String> pending, List<Rejection> rejected,
                         List<String> disconnected, List<Partial> quarantined) {
        public boolean converged() {
            return pending.isEmpty() && rejected.isEmpty() && quarantined.isEmpty();
        }
    }

    public record Rejection(String node, String error) {}

    /** A node that applied the version without {@code entities} ("kind name: message", as its Ack named them). */
    public record Partial(String node, List<String> entities) {}

    private final NodeLedger ledger;

    public Convergence(NodeLedger ledger) {
        this.ledger = requireNonNull(ledger, "ledger");
    }

    /**
     * Completes once every node connected now has applied {@code version} or newer, refused it, or gone;
     * or after {@code timeout}, with the stragglers listed as pending. Nodes that connect later are not
     * waited for: they get the newest snapshot on connect anyway.
     */
    public CompletableFuture<Result> await(long version, Duration timeout) {
        return await(version, timeout, n -> true);
    }

    /** As above, for the nodes {@code among} accepts only (a canary write waits for its canary nodes). */
    public CompletableFuture<Result> await(long version, Duration timeout, java.util.function.Predicate<Node> among) {
        requireNonNull(timeout, "timeout");
        requireNonNull(among, "among");
        Waiter w = new Waiter(version);
        Runnable unwatch;
        synchronized (w) {
            // Watch first, then read, under the waiter's lock: a change racing the read waits for the lock
            // and is then applied to the node the read just added, so no Ack can slip between the two.
            unwatch = ledger.watch(w::changed);
            for (Node n : ledger.list()) {
                if (awaited(n) && among.test(n)) {
                    w.states.put(n.id(), null);
                    w.pending++;
                    w.changed(n);
                }
            }
            w.completeIfSettled();
        }
        w.done.completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS);
        return w.done.whenComplete((v, e) -> unwatch.run()).thenApply(v -> w.result());
    }

    /** Which nodes a write waits for: connected ones; draining nodes are leaving and do not hold it up. */
    static boolean awaited(Node n) {
        return n.connected() && !n.draining();
    }

    private static final class Waiter {
        private final long version;
        // Node id -> its answer: null while pending, else APPLIED, DISCONNECTED, a Partial or a Rejection.
        private final Map<String, Object> states = new HashMap<>();
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private int pending; // nulls in states, counted so an Ack costs O(1) even with thousands of nodes

        Waiter(long version) {
            this.version = version;
        }

        synchronized void changed(Node n) {
            if (!states.containsKey(n.id()) || states.get(n.id()) != null) {
                return; // not awaited, or already decided: a later state cannot undo an Ack
            }
            if (n.appliedVersion() >= version) {
                states.put(n.id(), n.quarantined().isEmpty() ? Outcome.APPLIED : new Partial(n.id(),
                        n.quarantined().stream().map(q -> q.kind() + " " + q.name() + ": " + q.message()).toList()));
            } else if (n.rejectedVersion() != null && n.rejectedVersion() >= version) {
                states.put(n.id(), new Rejection(n.id(), n.lastError() == null ? "rejected" : n.lastError()));
            } else if (!n.connected()) {
                states.put(n.id(), Outcome.DISCONNECTED);
            } else {
                return;
            }
            pending--;
            completeIfSettled();
        }

        synchronized void completeIfSettled() {
            if (pending == 0) {
                done.complete(null);
            }
        }

        synchronized Result result() {
            List<String> applied = new ArrayList<>();
            List<String> pending = new ArrayList<>();
            List<Rejection> rejected = new ArrayList<>();
            List<String> disconnected = new ArrayList<>();
            List<Partial> quarantined = new ArrayList<>();
            states.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
                Object s = e.getValue();
                if (s == null) {
                    pending.add(e.getKey());
                } else if (s == Outcome.APPLIED) {
                    applied.add(e.getKey());
                } else if (s == Outcome.DISCONNECTED) {
                    disconnected.add(e.getKey());
                } else if (s instanceof Partial p) {
                    applied.add(e.getKey());
                    quarantined.add(p);
                } else {
                    rejected.add((Rejection) s);
                }
            });
            return new Result(version, applied, pending, rejected, disconnected, quarantined);
        }
    }

    private enum Outcome { APPLIED, DISCONNECTED }
}
