package io.edgeway.dataplane.config;

import io.edgeway.proto.delta.SnapshotDeltas;
import io.edgeway.proto.v1.Snapshot;

/**
 * Turns a delta snapshot (issue 22) back into the full snapshot it stands for, on top of the one this proxy
 * applied last. From there on a delta is applied exactly as a full snapshot would be (same compile, same
 * quarantine, same disk cache), which is what makes both give the same runtime config.
 */
final class AppliedDelta {
    private AppliedDelta() {}

    /**
     * The full snapshot; IllegalArgumentException when this proxy does not run the delta's base (it applied
     * nothing yet, restarted without the base's snapshot, or runs another version) or the delta is malformed.
     */
    static Snapshot resolve(Snapshot delta, Snapshot applied, ConfigHolder holder) {
        long base = delta.getDelta().getBaseVersion();
        if (applied == null || !holder.applied()) {
            throw new IllegalArgumentException("delta.base_version " + base + ": this proxy holds no base snapshot");
        }
        if (applied.getVersion() != holder.version()) {
            throw new IllegalArgumentException("delta.base_version " + base + ": the base snapshot kept is version "
                    + applied.getVersion() + ", not the applied " + holder.version());
        }
        return SnapshotDeltas.apply(applied, delta);
    }
}
