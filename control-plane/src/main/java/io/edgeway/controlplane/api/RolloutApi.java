package io.edgeway.controlplane.api;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.discovery.Node;
import io.edgeway.controlplane.discovery.NodeLedger;
import io.edgeway.controlplane.discovery.NodeSelector;
import io.edgeway.controlplane.discovery.SnapshotCache;
import io.edgeway.controlplane.model.Durations;
import io.edgeway.controlplane.model.FieldError;
import io.edgeway.controlplane.rollout.RolloutActions;
import io.edgeway.controlplane.store.ConflictException;
import io.edgeway.controlplane.store.NotFoundException;
import io.edgeway.controlplane.store.Rollout;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** GET /api/v1/rollouts[/{id}] and POST /api/v1/rollouts/{id}/pause|resume|promote|abort. */
final class RolloutApi {
    private final RolloutActions actions;
    private final NodeLedger ledger;
    private final SnapshotCache cache;

    RolloutApi(RolloutActions actions, NodeLedger ledger, SnapshotCache cache) {
        this.actions = requireNonNull(actions, "actions");
        this.ledger = requireNonNull(ledger, "ledger");
        this.cache = requireNonNull(cache, "cache");
    }

    void list(Context ctx) {
        Page page = Page.of(ctx);
        ctx.json(page.body(actions.store().page(page.fetch(), page.offset()), RolloutApi::view));
    }

    /** One rollout, with every known node: canary or not, the version it should run and the one it runs. */
    void get(Context ctx) {
        Rollout r = find(ctx);
        Map<String, Object> body = view(r);
        NodeSelector selector = NodeSelector.parse(r.selector()).withFallback(r.fallbackNode());
        body.put("nodes", ledger.list().stream().map(n -> node(n, selector)).toList());
        ctx.json(body);
    }

    private Map<String, Object> node(Node n, NodeSelector selector) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", n.id());
        m.put("canary", selector.matches(n.id(), n.labels()));
        m.put("connected", n.connected());
        m.put("desired_version", cache.versionFor(n.id(), n.labels()));
        m.put("applied_version", n.appliedVersion());
        m.put("rejected_version", n.rejectedVersion());
        m.put("quarantined", n.quarantined()); // what the applied version left out (issue 22)
        return m;
    }

    void pause(Context ctx) {
        act(ctx, "pause", "canary", actions.pause(find(ctx).id()));
    }

    void resume(Context ctx) {
        act(ctx, "resume", "paused", actions.resume(find(ctx).id()));
    }

    void promote(Context ctx) {
        act(ctx, "promote", "canary or paused", actions.promote(find(ctx).id(), "promoted by " + actor()));
    }

    /** Abort = roll back by hand: the previous content comes back as a new revision. */
    void abort(Context ctx) {
        act(ctx, "abort", "canary or paused",
                actions.rollBack(find(ctx).id(), Rollout.State.ABORTED, "aborted by " + actor()));
    }

    private void act(Context ctx, String action, String from, boolean moved) {
        Rollout now = find(ctx);
        if (!moved) {
            throw new ConflictException("state", "rollout " + now.id() + " is " + now.state().text()
                    + " (expected: " + from + " to " + action + ")");
        }
        ctx.json(view(now));
    }

    private static String actor() {
        return io.edgeway.controlplane.store.Actor.current();
    }

    private Rollout find(Context ctx) {
        String raw = ctx.pathParam("id");
        if (!raw.matches("[0-9]{1,18}")) {
            String detail = "id: " + (raw.length() > 40 ? raw.substring(0, 40) + "..." : raw) + " (expected: a rollout number)";
            throw ApiException.malformed(detail, List.of(new FieldError("id", detail)));
        }
        return actions.store().get(Long.parseLong(raw)).orElseThrow(() -> new NotFoundException("rollout", raw));
    }

    static Map<String, Object> view(Rollout r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("revision", r.revision());
        m.put("previous_revision", r.previousRevision());
        m.put("state", r.state().text());
        m.put("selector", r.selector());
        m.put("bake", Durations.format(r.bake()));
        m.put("max_error_ratio", r.maxErrorRatio());
        m.put("min_requests", r.minRequests());
        m.put("started", r.started().toString());
        m.put("bake_until", r.bakeUntil() == null ? null : r.bakeUntil().toString());
        m.put("reason", r.reason());
        m.put("restored_revision", r.restoredRevision());
        m.put("ended", r.ended() == null ? null : r.ended().toString());
        m.put("actor", r.actor());
        m.put("max_p99_ratio", r.maxP99Ratio());
        m.put("fallback_node", r.fallbackNode());
        return m;
    }
}
