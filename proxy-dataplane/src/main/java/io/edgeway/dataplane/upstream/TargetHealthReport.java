package io.edgeway.dataplane.upstream;

import io.edgeway.dataplane.balancing.Endpoint;
import io.edgeway.dataplane.balancing.TargetState;
import io.edgeway.dataplane.balancing.TargetGroup;
import io.edgeway.dataplane.config.RuntimeConfig;
import io.edgeway.proto.v1.TargetHealth;
import java.util.ArrayList;
import java.util.List;

/** Every target's health in a config, in the words the control plane's node ledger keeps. */
public final class TargetHealthReport {
    private TargetHealthReport() {}

    public static List<TargetHealth> of(RuntimeConfig config) {
        List<TargetHealth> out = new ArrayList<>();
        for (TargetGroup u : config.upstreams().values()) {
            boolean open = u.failingOpen();
            for (Endpoint t : u.targets()) {
                TargetState s = t.state();
                String reason = s.ejected() ? "passive" : !s.activeHealthy() ? "active" : "";
                out.add(TargetHealth.newBuilder().setUpstream(u.name()).setTarget(t.toString())
                        .setHealthy(reason.isEmpty()).setReason(open && !reason.isEmpty() ? "fail_open" : reason)
                        .build());
            }
        }
        return out;
    }
}
