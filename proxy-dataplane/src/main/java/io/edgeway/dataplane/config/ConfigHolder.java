package io.edgeway.dataplane.config;

import static java.util.Objects.requireNonNull;

/**
 * The one volatile reference the hot path reads once per request. Written only by the config client's
 * single thread, so a plain volatile write is enough.
 */
public final class ConfigHolder {
    private volatile RuntimeConfig current = RuntimeConfig.NONE;

    public RuntimeConfig get() {
        return current;
    }

    public long version() {
        return current.version();
    }

    public boolean applied() {
        return current.version() > 0;
    }

    public void set(RuntimeConfig config) {
        current = requireNonNull(config, "config");
    }
}
