package io.edgeway.controlplane.model;

import java.time.Duration;

/** Per-route timeouts; a null field means "the proxy's default". */
public record Timeouts(Duration connect, Duration firstByte, Duration idle) {
    public static final Timeouts DEFAULTS = new Timeouts(null, null, null);
}
