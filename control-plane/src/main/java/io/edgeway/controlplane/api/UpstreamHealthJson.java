package io.edgeway.controlplane.api;

import io.edgeway.controlplane.discovery.Node;
import io.edgeway.controlplane.discovery.NodeLedger;
import io.edgeway.proto.v1.TargetHealth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code GET /api/v1/upstreams/{name}/health}: each target's state as each node last reported it. */
final class UpstreamHealthJson {
    private UpstreamHealthJson() {}

    static Map<String, Object> of(String upstream, NodeLedger ledger) {
        List<Map<String, Object>> nodes = new ArrayList<>();
        ledger.targetHealth(upstream).forEach((id, targets) -> {
            Node n = ledger.get(id);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("node", id);
            m.put("connected", n != null && n.connected());
            m.put("targets", targets.stream().map(UpstreamHealthJson::target).toList());
            nodes.add(m);
        });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("upstream", upstream);
        out.put("nodes", nodes);
        return out;
    }

    private static Map<String, Object> target(TargetHealth t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", t.getTarget());
        m.put("healthy", t.getHealthy());
        m.put("reason", t.getReason());
        return m;
    }
}
