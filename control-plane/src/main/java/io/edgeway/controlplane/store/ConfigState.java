package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.model.Route;
import io.edgeway.controlplane.model.Stored;
import io.edgeway.controlplane.model.Upstream;
import java.util.List;

/** The whole config at one revision, read in one REPEATABLE READ transaction so the parts agree. */
public record ConfigState(long revision, List<Stored<Upstream>> upstreams, List<Stored<Route>> routes) {
    public ConfigState {
        upstreams = List.copyOf(upstreams);
        routes = List.copyOf(routes);
    }

    public static ConfigState load(Database db) {
        requireNonNull(db, "db");
        return db.consistentRead(c -> new ConfigState(RevisionLog.current(c), UpstreamStore.all(c), RouteStore.all(c)));
    }
}
