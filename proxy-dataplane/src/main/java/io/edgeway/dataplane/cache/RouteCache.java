package io.edgeway.dataplane.cache;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;

/**
 * A route's cache policy, from the snapshot. {@code keyHeaders} are request headers (lower case) whose values
 * join the cache key beside scheme, Host and path-with-query; {@code defaultTtlMs} is the freshness given to a
 * response that states none (0: only explicit freshness or the Last-Modified heuristic); {@code lockTimeoutMs}
 * bounds how long a collapsed miss waits for the request that went to the target before going itself.
 */
public record RouteCache(boolean enabled, long maxObjectBytes, long defaultTtlMs, List<String> keyHeaders,
        long lockTimeoutMs) {
    public static final long DEFAULT_MAX_OBJECT_BYTES = 1 << 20;
    public static final long DEFAULT_LOCK_TIMEOUT_MS = 5_000;
    public static final RouteCache OFF = new RouteCache(false, DEFAULT_MAX_OBJECT_BYTES, 0, List.of(),
            DEFAULT_LOCK_TIMEOUT_MS);

    public RouteCache {
        keyHeaders = requireNonNull(keyHeaders, "keyHeaders").stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
        if (maxObjectBytes <= 0 || maxObjectBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxObjectBytes: " + maxObjectBytes + " (expected: 1-2147483639)");
        }
        if (defaultTtlMs < 0) {
            throw new IllegalArgumentException("defaultTtlMs: " + defaultTtlMs + " (expected: >= 0)");
        }
        if (lockTimeoutMs <= 0) {
            throw new IllegalArgumentException("lockTimeoutMs: " + lockTimeoutMs + " (expected: > 0)");
        }
    }
}
