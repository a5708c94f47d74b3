package io.edgeway.dataplane.status;

import io.edgeway.dataplane.http1.Json;
import io.edgeway.dataplane.balancing.Endpoint;
import io.edgeway.dataplane.balancing.TargetState;
import io.edgeway.dataplane.balancing.TargetGroup;
import io.edgeway.dataplane.config.RuntimeConfig;
import java.util.Comparator;
import java.util.List;

/** Per-target health for the status port's {@code /health/upstreams} JSON. */
final class UpstreamReport {
    private UpstreamReport() {}

    /** "" when healthy, else why not: "active" (failing probes) or "passive" (ejected). */
    static String reason(TargetState s) {
        return s.ejected() ? "passive" : s.activeHealthy() ? "" : "active";
    }

    static String json(RuntimeConfig config) {
        StringBuilder sb = new StringBuilder(256).append("{\"version\":").append(config.version())
                .append(",\"upstreams\":[");
        String sep = "";
        for (TargetGroup u : sorted(config)) {
            sb.append(sep).append("{\"name\":");
            Json.string(sb, u.name());
            sb.append(",\"policy\":\"").append(u.policy().name().toLowerCase()).append("\",\"fail_open\":")
                    .append(u.failingOpen()).append(",\"targets\":[");
            String tsep = "";
            for (Endpoint t : u.targets()) {
                TargetState s = t.state();
                sb.append(tsep).append("{\"target\":");
                Json.string(sb, t.toString());
                sb.append(",\"healthy\":").append(reason(s).isEmpty()).append(",\"reason\":\"").append(reason(s))
                        .append("\",\"outstanding\":").append(s.outstanding()).append('}');
                tsep = ",";
            }
            sb.append("]}");
            sep = ",";
        }
        return sb.append("]}\n").toString();
    }

    private static List<TargetGroup> sorted(RuntimeConfig config) {
        return config.upstreams().values().stream().sorted(Comparator.comparing(TargetGroup::name)).toList();
    }
}
