package io.edgeway.dataplane.cache;

import io.edgeway.proto.v1.CachePurge;
import java.util.List;

/**
 * The recent fleet-wide purges a snapshot carries, newest last, and the highest purge id left out of them
 * ({@code floor}). Applied by {@link ResponseCache#apply} once per snapshot, before its Ack.
 */
public record CachePurges(List<CachePurge> recent, long floor) {
    public static final CachePurges NONE = new CachePurges(List.of(), 0);

    public CachePurges {
        recent = List.copyOf(recent);
    }

    public static CachePurges from(io.edgeway.proto.v1.Snapshot s) {
        return s.getCachePurgesCount() == 0 && s.getCachePurgeFloor() == 0 ? NONE
                : new CachePurges(s.getCachePurgesList(), s.getCachePurgeFloor());
    }
}
