package io.edgeway.dataplane.limits;

import static java.util.Objects.requireNonNull;

import io.edgeway.dataplane.config.SettingNumbers;
import io.edgeway.dataplane.listener.TrustedProxies;
import java.util.Map;

/**
 * The proxy's own limits (issue 18), from the environment:
 * <ul>
 *   <li>{@code EDGEWAY_MAX_CONNECTIONS} (0: none): open client connections on each listener (the plain and
 *       the TLS one count apart); one more is closed at once, before any byte is read.
 *   <li>{@code EDGEWAY_MAX_CONNECTIONS_PER_IP} (0: none): open client connections from one client address,
 *       over both listeners; the address is the PROXY protocol's when a trusted load balancer sends one.
 *   <li>{@code EDGEWAY_RATE_LIMIT_KEYS} (262144): the size of the rate limit table ({@link RateBuckets}).
 *   <li>{@code EDGEWAY_PROXY_PROTOCOL_FROM} (none): CIDRs of load balancers that must start each connection
 *       with a PROXY protocol v1 or v2 header; from any other peer such a header closes the connection.
 * </ul>
 */
public record LimitSettings(int maxConnections, int maxConnectionsPerIp, int rateLimitKeys,
        TrustedProxies proxyProtocolFrom) {
    public static final LimitSettings DEFAULTS = new LimitSettings(0, 0, RateLimits.DEFAULT_KEYS, TrustedProxies.NONE);

    public LimitSettings {
        requireNonNull(proxyProtocolFrom, "proxyProtocolFrom");
        SettingNumbers.checkRange("EDGEWAY_MAX_CONNECTIONS", maxConnections, 0, 10_000_000);
        SettingNumbers.checkRange("EDGEWAY_MAX_CONNECTIONS_PER_IP", maxConnectionsPerIp, 0, 10_000_000);
        SettingNumbers.checkRange("EDGEWAY_RATE_LIMIT_KEYS", rateLimitKeys, 16, 1 << 26);
    }

    public static LimitSettings from(Map<String, String> env) {
        return new LimitSettings(number(env, "EDGEWAY_MAX_CONNECTIONS", 0), number(env, "EDGEWAY_MAX_CONNECTIONS_PER_IP", 0),
                number(env, "EDGEWAY_RATE_LIMIT_KEYS", RateLimits.DEFAULT_KEYS),
                TrustedProxies.parse(env.get("EDGEWAY_PROXY_PROTOCOL_FROM")));
    }

    public LimitSettings withConnections(int max, int perIp) {
        return new LimitSettings(max, perIp, rateLimitKeys, proxyProtocolFrom);
    }

    public LimitSettings withProxyProtocolFrom(TrustedProxies from) {
        return new LimitSettings(maxConnections, maxConnectionsPerIp, rateLimitKeys, from);
    }

    public LimitSettings withRateLimitKeys(int keys) {
        return new LimitSettings(maxConnections, maxConnectionsPerIp, keys, proxyProtocolFrom);
    }

    private static int number(Map<String, String> env, String name, int dflt) {
        return SettingNumbers.fromEnv(env, name, dflt, "a whole number");
    }
}
