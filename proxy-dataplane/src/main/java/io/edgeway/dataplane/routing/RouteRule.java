package io.edgeway.dataplane.routing;

import static java.util.Objects.requireNonNull;

import io.edgeway.dataplane.balancing.TargetGroup;
import io.edgeway.dataplane.site.RouteSite;
import io.edgeway.dataplane.cache.RouteCache;
import io.edgeway.dataplane.rewrite.RouteActions;
import io.edgeway.dataplane.limits.RateLimitSpec;
import io.edgeway.dataplane.status.RouteMeter;
import java.util.List;
import java.util.Set;

/**
 * A compiled route. {@code actions} (issue 17) is null for a plain proxy route; a redirect route has no upstream.
 * {@code accessLogSample} is the share of its requests the access log writes: 1 all, 0 none. Hosts are lower case ({@code *.example.com} for wildcards), paths are plain string
 * prefixes or regexes starting with {@code ~} (see {@link PathRegex}), methods upper case; an empty list or set matches anything.
 * A route has either an {@code upstream} or a {@code site} (static files, issue 17); the other is null.
 */
public record RouteRule(String name, List<String> hosts, List<String> paths, Set<String> methods,
        TargetGroup upstream, RouteTimeouts timeouts, RouteHttps https, RouteMeter meter, double accessLogSample,
        RouteSite site, RouteCache cache, RouteActions actions, RateLimitSpec rateLimit, long maxBodyBytes) {

    public RouteRule {
        requireNonNull(name, "name");
        hosts = List.copyOf(requireNonNull(hosts, "hosts"));
        paths = List.copyOf(requireNonNull(paths, "paths"));
        methods = Set.copyOf(requireNonNull(methods, "methods"));
        requireNonNull(timeouts, "timeouts");
        requireNonNull(https, "https");
        requireNonNull(meter, "meter");
        requireNonNull(cache, "cache");
        if (!(accessLogSample >= 0 && accessLogSample <= 1)) {
            throw new IllegalArgumentException("accessLogSample: " + accessLogSample + " (expected: 0-1)");
        }
    }

    /**
     * A route that proxies to {@code upstream}, with none of the later actions (site, cache, redirect, rewrite,
     * headers, compression) and no limits ({@code rateLimit} null: none; {@code maxBodyBytes} 0: none).
     */
    public RouteRule(String name, List<String> hosts, List<String> paths, Set<String> methods, TargetGroup upstream,
            RouteTimeouts timeouts, RouteHttps https, RouteMeter meter, double accessLogSample) {
        this(name, hosts, paths, methods, upstream, timeouts, https, meter, accessLogSample, null, RouteCache.OFF, null,
                null, 0);
    }

    /** A route whose every request is logged. */
    public RouteRule(String name, List<String> hosts, List<String> paths, Set<String> methods, TargetGroup upstream,
            RouteTimeouts timeouts, RouteHttps https, RouteMeter meter) {
        this(name, hosts, paths, methods, upstream, timeouts, https, meter, 1.0);
    }

    /** A route without metrics. */
    public RouteRule(String name, List<String> hosts, List<String> paths, Set<String> methods, TargetGroup upstream,
            RouteTimeouts timeouts, RouteHttps https) {
        this(name, hosts, paths, methods, upstream, timeouts, https, RouteMeter.NONE);
    }

    /** A route without an HTTPS policy. */
    public RouteRule(String name, List<String> hosts, List<String> paths, Set<String> methods, TargetGroup upstream,
                 RouteTimeouts timeouts) {
        this(name, hosts, paths, methods, upstream, timeouts, RouteHttps.NONE);
    }

    public boolean allowsMethod(String method) {
        return methods.isEmpty() || methods.contains(method);
    }
}
