package io.edgeway.dataplane.cache;

import io.edgeway.dataplane.config.ConfigError;
import java.util.List;
import java.util.regex.Pattern;

/** A route's cache policy from its snapshot message, every bad field reported as a {@link ConfigError}. */
public final class RouteCaches {
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private RouteCaches() {}

    public static RouteCache from(io.edgeway.proto.v1.Route r, String route, List<ConfigError> errors) {
        if (!r.hasCache() || !r.getCache().getEnabled()) {
            return RouteCache.OFF;
        }
        io.edgeway.proto.v1.RouteCache c = r.getCache();
        int before = errors.size();
        long maxObject = c.getMaxObjectBytes() == 0 ? RouteCache.DEFAULT_MAX_OBJECT_BYTES : c.getMaxObjectBytes();
        if (maxObject < 0 || maxObject > Integer.MAX_VALUE - 8) {
            errors.add(new ConfigError("route", route, "cache.max_object_bytes", c.getMaxObjectBytes() + " (expected: 1-2147483639)"));
        }
        if (c.getDefaultTtlMs() < 0) {
            errors.add(new ConfigError("route", route, "cache.default_ttl_ms", c.getDefaultTtlMs() + " (expected: >= 0)"));
        }
        long lock = c.getLockTimeoutMs() == 0 ? RouteCache.DEFAULT_LOCK_TIMEOUT_MS : c.getLockTimeoutMs();
        if (lock < 0) {
            errors.add(new ConfigError("route", route, "cache.lock_timeout_ms", c.getLockTimeoutMs() + " (expected: >= 0)"));
        }
        for (int i = 0; i < c.getKeyHeadersCount(); i++) {
            if (!TOKEN.matcher(c.getKeyHeaders(i)).matches()) {
                errors.add(new ConfigError("route", route, "cache.key_headers[" + i + "]",
                        "'" + c.getKeyHeaders(i) + "' (expected: a header name)"));
            }
        }
        if (!r.getUpstream().isEmpty() && errors.size() == before) {
            return new RouteCache(true, maxObject, c.getDefaultTtlMs(), c.getKeyHeadersList(), lock);
        }
        if (r.getUpstream().isEmpty()) {
            errors.add(new ConfigError("route", route, "cache", "a cache needs a route with an upstream"));
        }
        return RouteCache.OFF;
    }
}
