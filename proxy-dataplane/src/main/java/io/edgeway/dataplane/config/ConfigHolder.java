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

    /**
     * A snapshot has been applied, from the control plane or the disk cache. Version 0 counts: it is what
     * an empty control plane sends, and a fleet with no routes yet must still pass its health checks.
     */
    public boolean applied() {
        return current != RuntimeConfig.NONE;
    }

    public void set(RuntimeConfig config) {
        current = requireNonNull(config, "config");
    }
}
