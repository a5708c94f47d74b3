package io.edgeway.dataplane.config;

import io.edgeway.proto.v1.Snapshot;

/**
 * Work a snapshot needs beyond the runtime config, done before the swap so that what it stages applies whole or
 * not at all: binding the ports of new stream routes, say. {@link #stage} does what can fail and throws to
 * refuse the snapshot (having undone its own work); the returned action runs right after the config is
 * swapped in and must not fail. Called on the config client's thread only.
 */
@FunctionalInterface
public interface ApplyStep {
    ApplyStep NONE = (snapshot, config) -> () -> { };

    Runnable stage(Snapshot snapshot, RuntimeConfig config) throws InvalidConfigException;

    /**
     * Partial rejection (issue 22): stages what it can and names what it left out (a stream route whose port
     * cannot be bound, say) instead of refusing the snapshot. By default all or nothing, as {@link #stage}.
     */
    default Staged stagePartially(Snapshot snapshot, RuntimeConfig config) throws InvalidConfigException {
        return new Staged(stage(snapshot, config), java.util.List.of());
    }

    /** What {@link #stagePartially} staged: the action to run after the swap, and the entities left out. */
    record Staged(Runnable commit, java.util.List<ConfigError> quarantined) {
        public Staged {
            java.util.Objects.requireNonNull(commit, "commit");
            quarantined = java.util.List.copyOf(quarantined);
        }
    }
}
