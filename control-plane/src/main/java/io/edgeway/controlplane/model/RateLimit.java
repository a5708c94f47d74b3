package io.edgeway.controlplane.model;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * A route's rate limit: a token bucket of {@code burst} requests refilled at {@code requests} per {@code per},
 * kept per key ({@code by}: {@code client_ip}, {@code route}, or {@code header:<Name>}). {@code per} is whole
 * seconds because the IETF RateLimit-Policy header states its window in seconds. {@code scope} {@code proxy}
 * keeps each proxy's buckets apart (the fleet then allows about N times the limit); {@code fleet} splits the
 * limit between the connected proxies (see the README's rate limit section for the error bound).
 */
public record RateLimit(int requests, Duration per, int burst, String by, String scope) {
    public static final int MAX = 1_000_000_000;
    // RFC 9110 token: a header field name.
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}");

    void check(ValidationException.Collector v) {
        v.check(requests >= 1 && requests <= MAX, "rate_limit.requests",
                "rate_limit.requests: " + requests + " (expected: 1-" + MAX + ")");
        v.check(per != null && per.toMillis() % 1000 == 0 && per.toSeconds() >= 1 && per.toHours() <= 24,
                "rate_limit.per", "rate_limit.per: " + (per == null ? "missing" : Durations.format(per))
                        + " (expected: whole seconds, 1s-24h, e.g. 1s or 1m)");
        v.check(burst >= 1 && burst <= MAX, "rate_limit.burst",
                "rate_limit.burst: " + burst + " (expected: 1-" + MAX + "; absent means requests)");
        v.check(by != null && isKey(by), "rate_limit.by",
                "rate_limit.by: " + by + " (expected: client_ip, route, or header:<Header-Name>)");
        v.check("proxy".equals(scope) || "fleet".equals(scope), "rate_limit.scope",
                "rate_limit.scope: " + scope + " (expected: proxy or fleet)");
    }

    private static boolean isKey(String by) {
        return by.equals("client_ip") || by.equals("route")
                || (by.startsWith("header:") && HEADER_NAME.matcher(by.substring(7)).matches());
    }
}
