package io.edgeway.controlplane.cache;

import io.edgeway.controlplane.model.CachePolicy;
import io.edgeway.proto.v1.RouteCache;

/** A route's cache policy as the snapshot carries it (Route field 50); zero fields are the proxies' defaults. */
public final class RouteCaches {
    private RouteCaches() {}

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
