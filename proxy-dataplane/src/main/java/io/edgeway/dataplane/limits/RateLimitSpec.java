package io.edgeway.dataplane.limits;

import io.edgeway.dataplane.config.ConfigError;
import io.edgeway.proto.v1.RouteRateLimit;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A route's rate limit as the proxy runs it: a token bucket of {@code burst} requests refilled at
 * {@code requests} per {@code perSeconds}, one bucket per key ({@link By}). Immutable config: the buckets
 * themselves live in the proxy's {@link RateLimits}, keyed by {@link #identity} (route name and these
 * numbers), so a new snapshot with the same limit keeps the counts and a changed limit starts afresh.
 */
public record RateLimitSpec(String route, int requests, long perSeconds, int burst, By by, AsciiString header,
        boolean fleet, long identity, AsciiString policyHeader) {

    public enum By { CLIENT_IP, HEADER, ROUTE }

    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}");
    private static final long MAX = 1_000_000_000;
    private static final Pattern POLICY_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /** The nanoseconds between two tokens (GCRA's emission interval), for one proxy of {@code share}. */
    long emissionNanos(int share) {
        return TimeUnit.SECONDS.toNanos(perSeconds) / requests * share;
    }

    /** The bucket's size for one proxy of {@code share}: its part of the burst, at least one request. */
    int burst(int share) {
        return share <= 1 ? burst : (int) Math.max(1, ((long) burst + share - 1) / share);
    }

    /** {@code null} when the route has none; problems go to {@code errors}, naming the route's field. */
    public static RateLimitSpec from(String route, RouteRateLimit r, List<ConfigError> errors) {
        long requests = Integer.toUnsignedLong(r.getRequests());
        long burst = r.getBurst() == 0 ? requests : Integer.toUnsignedLong(r.getBurst());
        int before = errors.size();
        if (requests < 1 || requests > MAX) {
            errors.add(new ConfigError("route", route, "rate_limit.requests", requests + " (expected: 1-" + MAX + ")"));
        }
        if (burst < 1 || burst > MAX) {
            errors.add(new ConfigError("route", route, "rate_limit.burst", burst + " (expected: 1-" + MAX + ")"));
        }
        if (r.getPerMs() < 1000 || r.getPerMs() % 1000 != 0 || r.getPerMs() > 86_400_000) {
            errors.add(new ConfigError("route", route, "rate_limit.per_ms", r.getPerMs() + " (expected: whole seconds, 1s-24h)"));
        }
        By by = null;
        AsciiString header = null;
        String key = r.getBy().isEmpty() ? "client_ip" : r.getBy();
        if (key.equals("client_ip")) {
            by = By.CLIENT_IP;
        } else if (key.equals("route")) {
            by = By.ROUTE;
        } else if (key.startsWith("header:") && HEADER_NAME.matcher(key.substring(7)).matches()) {
            by = By.HEADER;
            header = AsciiString.of(key.substring(7));
        } else {
            errors.add(new ConfigError("route", route, "rate_limit.by", "'" + key + "' (expected: client_ip, route or header:<Name>)"));
        }
        if (errors.size() != before) {
            return null;
        }
        long perSeconds = r.getPerMs() / 1000;
        long identity = RateKey.identity(route + "\n" + requests + "/" + perSeconds + "/" + burst + "/" + key + "/" + r.getFleet());
        // An RFC 8941 string: control-plane names need no escaping; anything else is not echoed to clients.
        String policyName = POLICY_NAME.matcher(route).matches() ? route : "default";
        String policy = "\"" + policyName + "\";q=" + requests + ";w=" + perSeconds;
        return new RateLimitSpec(route, (int) requests, perSeconds, (int) burst, by, header, r.getFleet(), identity,
                new AsciiString(policy.getBytes(StandardCharsets.US_ASCII), false));
    }
}
