package io.edgeway.dataplane.config;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A compiled snapshot (issue 22): the config to run, and the entities left out of it with why. An empty
 * {@code quarantined} means the snapshot applied whole.
 */
public record PartialConfig(RuntimeConfig config, List<ConfigError> quarantined) {
    public PartialConfig {
        requireNonNull(config, "config");
        quarantined = List.copyOf(requireNonNull(quarantined, "quarantined"));
    }
}
