package io.edgeway.dataplane.config;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown by {@link RuntimeConfig#from} with every problem found in a snapshot, not just the first. */
public final class InvalidConfigException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient List<ConfigError> errors;

    public InvalidConfigException(List<ConfigError> errors) {
        super(errors.stream().map(ConfigError::toString).collect(Collectors.joining("; ")));
        this.errors = List.copyOf(errors);
    }

    public List<ConfigError> errors() {
        return errors;
    }
}
