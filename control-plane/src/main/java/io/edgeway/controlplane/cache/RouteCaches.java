package io.edgeway.controlplane.cache;

import io.edgeway.controlplane.model.CachePolicy;
import io.edgeway.controlplane.store.CachePurgeStore;
import io.edgeway.proto.v1.CachePurge;
import io.edgeway.proto.v1.RouteCache;

/** A route's cache policy as the snapshot carries it (Route field 50); zero fields are the proxies' defaults. */
public final class RouteCaches {
    private RouteCaches() {}

    /** The recent purges (and the floor below them) into a snapshot. */
    public static void addPurges(CachePurgeStore.Window w, io.edgeway.proto.v1.Snapshot.Builder b) {
        for (CachePurgeStore.Purge p : w.recent()) {
            CachePurge.Builder m = CachePurge.newBuilder().setId(p.id());
            switch (p.kind()) {
                case "url" -> m.setUrl(p.value());
                case "prefix" -> m.setPrefix(p.value());
                default -> m.setTag(p.value());
            }
            b.addCachePurges(m);
        }
        b.setCachePurgeFloor(w.floor());
    }

    public static RouteCache toProto(CachePolicy p) {
        RouteCache.Builder b = RouteCache.newBuilder().setEnabled(p.enabled()).setMaxObjectBytes(p.maxObjectBytes())
                .addAllKeyHeaders(p.keyHeaders());
        if (p.defaultTtl() != null) {
            b.setDefaultTtlMs(p.defaultTtl().toMillis());
        }
        if (p.lockTimeout() != null) {
            b.setLockTimeoutMs(p.lockTimeout().toMillis());
        }
        return b.build();
    }
}
