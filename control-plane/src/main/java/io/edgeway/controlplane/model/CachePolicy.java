package io.edgeway.controlplane.model;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A route's response cache (issue 17): {@code "cache":{"enabled":true,"max_object_bytes":1048576,
 * "default_ttl":"60s","key":{"headers":["Accept-Language"]},"lock_timeout":"5s"}}. Responses larger than
 * {@code max_object_bytes} stream through unstored; {@code default_ttl} (absent: none) is the freshness of a
 * response that states none; {@code key.headers} join the cache key; {@code lock_timeout} bounds how long
 * concurrent misses wait for the one request that went to the target. The proxies' memory bound is theirs
 * ({@code EDGEWAY_CACHE_MEMORY_BYTES}).
 */
public record CachePolicy(boolean enabled, long maxObjectBytes, Duration defaultTtl, List<String> keyHeaders,
        Duration lockTimeout) {
    public static final long DEFAULT_MAX_OBJECT_BYTES = 1 << 20;
    public static final long MAX_OBJECT_BYTES = 256L << 20;
    public static final CachePolicy OFF = new CachePolicy(false, DEFAULT_MAX_OBJECT_BYTES, null, List.of(), null);
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}");
    private static final Duration MAX_LOCK = Duration.ofMinutes(1);

    public CachePolicy {
        keyHeaders = keyHeaders == null ? List.of() : List.copyOf(keyHeaders);
    }

    void check(ValidationException.Collector v, String upstream) {
        if (!enabled) {
            return;
        }
        v.check(maxObjectBytes >= 1 && maxObjectBytes <= MAX_OBJECT_BYTES, "cache.max_object_bytes",
                "cache.max_object_bytes: " + maxObjectBytes + " (expected: 1-" + MAX_OBJECT_BYTES + ")");
        v.check(defaultTtl == null || !defaultTtl.isNegative(), "cache.default_ttl",
                "cache.default_ttl: " + defaultTtl + " (expected: a duration >= 0)");
        v.check(lockTimeout == null || (!lockTimeout.isNegative() && !lockTimeout.isZero()
                && lockTimeout.compareTo(MAX_LOCK) <= 0), "cache.lock_timeout",
                "cache.lock_timeout: " + lockTimeout + " (expected: a duration of 1ms-1m)");
        for (int i = 0; i < keyHeaders.size(); i++) {
            String h = keyHeaders.get(i);
            v.check(h != null && TOKEN.matcher(h).matches(), "cache.key.headers[" + i + "]",
                    "cache.key.headers[" + i + "]: " + h + " (expected: a header name)");
        }
        v.check(upstream != null, "cache", "cache: a cached route needs an upstream");
    }

    public boolean isDefault() {
        return !enabled;
    }
}
