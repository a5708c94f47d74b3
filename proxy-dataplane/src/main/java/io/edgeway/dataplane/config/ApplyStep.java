package io.edgeway.dataplane.config;

import io.edgeway.proto.v1.Snapshot;

/**
 * Work a snapshot needs beyond the runtime config, done before the swap so that a snapshot applies whole or
 * not at all: binding the ports of new stream routes, say. {@link #stage} does what can fail and throws to
 * refuse the snapshot (having undone its own work); the returned action runs right after the config is
 * swapped in and must not fail. Called on the config client's thread only.
 */
@FunctionalInterface
public interface ApplyStep {
    ApplyStep NONE = (snapshot, config) -> () -> { };

    Runnable stage(Snapshot snapshot, RuntimeConfig config) throws InvalidConfigException;
}
