package io.edgeway.controlplane.api;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.discovery.Node;
import io.edgeway.controlplane.discovery.NodeLedger;
import io.edgeway.controlplane.discovery.SnapshotCache;
import io.javalin.config.JavalinConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/** The fleet's routes: the node ledger, join tokens, per-route load and what a proxy would do with a request. */
final class FleetRoutes {
    private final NodeLedger ledger;
    private final SnapshotCache cache;
    private final ControlChannelApi controlChannel;

    FleetRoutes(NodeLedger ledger, SnapshotCache cache, ControlChannelApi controlChannel) {
        this.ledger = requireNonNull(ledger, "ledger");
        this.cache = requireNonNull(cache, "cache");
        this.controlChannel = requireNonNull(controlChannel, "controlChannel");
    }

    void register(JavalinConfig c) {
        // What a proxy would do with one request, by the proxy's own compiled routing (issue 22).
        c.routes.get("/api/v1/explain", new ExplainApi(cache, ledger)::handle);
        c.routes.get("/api/v1/metrics/routes", ctx -> ctx.json(FleetApi.routes(ledger.load(), ctx.queryParam("window"))));
        c.routes.get("/api/v1/metrics/routes/history", new FleetHistoryApi(ledger.load())::handle);
        c.routes.get("/api/v1/nodes", ctx -> ctx.json(Page.of(ctx).slice(ledger.list(), this::node)));
        c.routes.delete("/api/v1/nodes/{id}", controlChannel::revokeNode);
        c.routes.get("/api/v1/join-tokens", controlChannel::list);
        c.routes.post("/api/v1/join-tokens", controlChannel::create);
        c.routes.delete("/api/v1/join-tokens/{name}", controlChannel::delete);
    }

    private Map<String, Object> node(Node n) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", n.id());
        m.put("address", n.address());
        m.put("connected", n.connected());
        m.put("draining", n.draining());
        m.put("applied_version", n.appliedVersion());
        m.put("rejected_version", n.rejectedVersion());
        m.put("last_error", n.lastError());
        m.put("quarantined", n.quarantined()); // issue 22: [{kind,name,field,message}] left out of applied_version
        m.put("last_seen", n.lastSeen().toString());
        m.put("labels", n.labels());
        // During a canary rollout a node outside the canary should still run the previous revision.
        m.put("desired_version", cache.versionFor(n.id(), n.labels()));
        m.put("canary", cache.plan().open() && cache.plan().isCanary(n.id(), n.labels()));
        m.put("stream_id", n.streamId()); // changes at every reconnect: shows whether a stream survived (e.g. a renewal)
        ControlChannelApi.identity(m, ledger.identity(n.id()));
        m.put("load", FleetApi.nodeLoad(ledger.load(), n.id()));
        return m;
    }
}
