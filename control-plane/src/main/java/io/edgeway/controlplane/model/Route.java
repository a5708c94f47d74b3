package io.edgeway.controlplane.model;

import io.edgeway.dataplane.routing.PathRegex;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Sends requests that match hosts, paths and methods to an upstream, or answers them from a static site's
 * files ({@link RouteSite}): exactly one of {@code upstream} and {@code site} is set. A path is a prefix ({@code /api}) or,
 * starting with {@code ~}, a regular expression anchored at the path's start ({@code ~/users/[0-9]+$}),
 * checked with the proxies' own re2j compiler ({@link PathRegex}). Empty hosts or methods
 * match any; empty paths match any path. Hosts are lower-cased and methods upper-cased here, so every
 * later stage compares plain strings.
 */
public record Route(String name, List<String> tags, List<String> hosts, List<String> paths,
                    List<String> methods, String upstream, Timeouts timeouts, Https https, AccessLogPolicy accessLog,
                    RouteSite site, CachePolicy cache, RouteActions actions, RouteLimits limits) {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    // RFC 9110 token characters.
    private static final Pattern METHOD = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Z-]{1,32}");
    private static final Pattern PATH = Pattern.compile("/[\\x21-\\x7e&&[^?#]]{0,1023}");
    // A regex path: ~ then a re2j expression of visible ASCII (? and # are regex syntax here).
    private static final Pattern REGEX_PATH = Pattern.compile("~[\\x21-\\x7e]{1,1023}");

    public Route {
        tags = tags == null ? List.of() : List.copyOf(tags);
        hosts = hosts == null ? List.of() : hosts.stream().map(h -> h == null ? null : h.toLowerCase(Locale.ROOT)).toList();
        paths = paths == null ? List.of() : List.copyOf(paths);
        methods = methods == null ? List.of() : methods.stream().map(m -> m == null ? null : m.toUpperCase(Locale.ROOT)).toList();
        timeouts = timeouts == null ? Timeouts.DEFAULTS : timeouts;
        https = https == null ? Https.NONE : https;
        accessLog = accessLog == null ? AccessLogPolicy.ALL : accessLog;
        cache = cache == null ? CachePolicy.OFF : cache;
        actions = actions == null ? RouteActions.NONE : actions;
        limits = limits == null ? RouteLimits.NONE : limits;
        var v = new ValidationException.Collector();
        Names.checkName(v, name);
        Names.checkTags(v, tags);
        for (int i = 0; i < hosts.size(); i++) {
            String h = hosts.get(i);
            v.check(h != null && isHost(h), "hosts[" + i + "]",
                    "hosts[" + i + "]: " + h + " (expected: a hostname like shop.example.com or *.example.com)");
        }
        for (int i = 0; i < paths.size(); i++) {
            String p = paths.get(i);
            if (p != null && PathRegex.isRegex(p)) {
                String problem = regexProblem(p);
                v.check(problem == null, "paths[" + i + "]", "paths[" + i + "]: " + p + " (" + problem + ")");
            } else {
                v.check(p != null && PATH.matcher(p).matches(), "paths[" + i + "]",
                        "paths[" + i + "]: " + p + " (expected: a prefix starting with /, no spaces, ? or #;"
                                + " or a regex starting with ~)");
            }
        }
        for (int i = 0; i < methods.size(); i++) {
            String m = methods.get(i);
            v.check(m != null && METHOD.matcher(m).matches(), "methods[" + i + "]",
                    "methods[" + i + "]: " + m + " (expected: an HTTP method like GET)");
        }
        checkDistinct(v, "hosts", hosts);
        checkDistinct(v, "paths", paths);
        checkDistinct(v, "methods", methods);
        // One action per route: proxy to an upstream, serve a site's files, or redirect (checked by the actions).
        v.check(upstream == null || site == null, "site",
                "site: " + (site == null ? null : site.name()) + " (expected: a route has exactly one of upstream, site, redirect)");
        if (site != null) {
            site.check(v);
        }
        actions.check(v, upstream, site != null);
        https.check(v);
        accessLog.check(v);
        cache.check(v, upstream);
        limits.check(v);
        v.throwIfAny();
    }

    /** A plain proxy route: none of the later actions (site, cache, redirect, rewrite, headers, compression, limits). */
    public Route(String name, List<String> tags, List<String> hosts, List<String> paths, List<String> methods,
                 String upstream, Timeouts timeouts, Https https, AccessLogPolicy accessLog) {
        this(name, tags, hosts, paths, methods, upstream, timeouts, https, accessLog, null, CachePolicy.OFF,
                RouteActions.NONE, RouteLimits.NONE);
    }

    /** A route whose every request is logged. */
    public Route(String name, List<String> tags, List<String> hosts, List<String> paths, List<String> methods,
                 String upstream, Timeouts timeouts, Https https) {
        this(name, tags, hosts, paths, methods, upstream, timeouts, https, AccessLogPolicy.ALL);
    }

    /** A route without an HTTPS policy. */
    public Route(String name, List<String> tags, List<String> hosts, List<String> paths, List<String> methods,
                 String upstream, Timeouts timeouts) {
        this(name, tags, hosts, paths, methods, upstream, timeouts, Https.NONE);
    }

    /** Why {@code path} is no usable regex path, or {@code null}; compiled as the proxies will, with re2j. */
    private static String regexProblem(String path) {
        if (!REGEX_PATH.matcher(path).matches()) {
            return "expected: ~ then a regular expression of at most 1023 visible ASCII characters, no spaces";
        }
        try {
            PathRegex.compile(path);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static boolean isHost(String h) {
        String rest = h.startsWith("*.") ? h.substring(2) : h;
        if (rest.isEmpty() || rest.length() > 253) {
            return false;
        }
        for (String label : rest.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    private static void checkDistinct(ValidationException.Collector v, String field, List<String> values) {
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            String s = values.get(i);
            v.check(s == null || !seen.contains(s), field + "[" + i + "]", field + "[" + i + "]: " + s + " (expected: no duplicates)");
            seen.add(s);
        }
    }
}
