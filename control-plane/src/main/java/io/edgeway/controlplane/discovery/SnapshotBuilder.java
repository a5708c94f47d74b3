package io.edgeway.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.model.Route;
import io.edgeway.controlplane.model.Stored;
import io.edgeway.controlplane.model.Target;
import io.edgeway.controlplane.model.Upstream;
import io.edgeway.controlplane.store.ConfigState;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Timeouts;
import java.time.Duration;

/**
 * Turns the stored config into the proto the proxies run: the admin API's words, durations in ms.
 *
 * <p>Only what a proxy reads is filled. Ids are left out: proxies key routes and upstreams by name (unique,
 * and what a Nack reports), and a random 36-character UUID was half of a route's bytes and, being random,
 * most of the gzipped snapshot (10,000 routes: 286 KB gzipped with ids, 46 KB without). Timeouts are left
 * out when all are "proxy default", which an absent message already means.
 */
public final class SnapshotBuilder {
    private SnapshotBuilder() {}

    /** The snapshot for {@code state}, serialized once for every stream. */
    public static PreparedSnapshot build(ConfigState state) {
        return PreparedSnapshot.of(snapshot(state));
    }

    /** The snapshot for {@code state}, not serialized: enough for the pre-commit check, which never sends it. */
    public static Snapshot snapshot(ConfigState state) {
        requireNonNull(state, "state");
        Snapshot.Builder b = Snapshot.newBuilder().setVersion(state.revision());
        for (Stored<Upstream> s : state.upstreams()) {
            var u = io.edgeway.proto.v1.Upstream.newBuilder().setName(s.value().name());
            for (Target t : s.value().targets()) {
                u.addTargets(io.edgeway.proto.v1.Target.newBuilder().setHost(t.host()).setPort(t.port()).setWeight(t.weight()));
            }
            UpstreamPolicies.apply(s.value(), u);
            b.addUpstreams(u);
        }
        for (Stored<Route> s : state.routes()) {
            Route r = s.value();
            var route = io.edgeway.proto.v1.Route.newBuilder()
                    .setName(r.name())
                    .addAllHosts(r.hosts())
                    .addAllPaths(r.paths())
                    .addAllMethods(r.methods())
                    .setUpstream(r.upstream());
            Timeouts timeouts = Timeouts.newBuilder()
                    .setConnectMs(millis(r.timeouts().connect()))
                    .setFirstByteMs(millis(r.timeouts().firstByte()))
                    .setIdleMs(millis(r.timeouts().idle()))
                    .build();
            if (!timeouts.equals(Timeouts.getDefaultInstance())) {
                route.setTimeouts(timeouts);
            }
            b.addRoutes(route);
        }
        return b.build();
    }

    private static long millis(Duration d) {
        return d == null ? 0 : d.toMillis(); // 0 is the proto's "proxy default"
    }
}
