package io.edgeway.dataplane.listener;

import static java.util.Objects.requireNonNull;

import io.edgeway.dataplane.config.Durations;
import io.edgeway.dataplane.config.SettingNumbers;
import java.time.Duration;
import java.util.Map;

/**
 * What the proxy tolerates from a client connection. Environment variables, with their defaults:
 * <ul>
 *   <li>{@code EDGEWAY_MAX_URI_SIZE} (8192 bytes): the whole request line (method, target, version); over
 *       it the answer is 414. Same as nginx's 8k {@code large_client_header_buffers} line limit.
 *   <li>{@code EDGEWAY_MAX_HEADER_SIZE} (32768 bytes): all header lines together; over it, 431. nginx
 *       allows 4 buffers of 8k, i.e. up to 32k in total; a lower default would refuse real cookie-heavy
 *       browsers that nginx serves. There is no separate per-line limit.
 *   <li>{@code EDGEWAY_HEADER_TIMEOUT} (10s): from the first byte of a request head to its end; a client
 *       that stalls inside the head gets 408 and a close (slowloris).
 *   <li>{@code EDGEWAY_KEEPALIVE_TIMEOUT} (60s): an idle kept-alive connection is closed without a
 *       response; a request body that stalls this long gets 408.
 *   <li>{@code EDGEWAY_WRITE_TIMEOUT} (60s): a client that stops reading a response for this long is cut.
 *   <li>{@code EDGEWAY_TRUSTED_PROXIES} (none): CIDRs whose X-Forwarded-* headers are kept and appended to.
 * </ul>
 * Durations are read by {@link Durations}: {@code 500ms}, {@code 10s}, {@code 1m}, {@code 1h}; a bare number is seconds.
 */
public record ClientLimits(
        int maxUriSize,
        int maxHeaderSize,
        long headerTimeoutMs,
        long keepAliveTimeoutMs,
        long writeTimeoutMs,
        TrustedProxies trustedProxies) {

    public static final ClientLimits DEFAULTS =
            new ClientLimits(8192, 32 * 1024, 10_000, 60_000, 60_000, TrustedProxies.NONE);

    public ClientLimits {
        requireNonNull(trustedProxies, "trustedProxies");
        SettingNumbers.checkRange("maxUriSize", maxUriSize, 256, 1 << 20);
        SettingNumbers.checkRange("maxHeaderSize", maxHeaderSize, 1024, 1 << 20);
        SettingNumbers.checkRange("headerTimeoutMs", headerTimeoutMs, 1, 3_600_000);
        SettingNumbers.checkRange("keepAliveTimeoutMs", keepAliveTimeoutMs, 1, 3_600_000);
        SettingNumbers.checkRange("writeTimeoutMs", writeTimeoutMs, 1, 3_600_000);
    }

    public static ClientLimits from(Map<String, String> env) {
        ClientLimits d = DEFAULTS;
        return new ClientLimits(
                size("EDGEWAY_MAX_URI_SIZE", env, d.maxUriSize),
                size("EDGEWAY_MAX_HEADER_SIZE", env, d.maxHeaderSize),
                millis(env, "EDGEWAY_HEADER_TIMEOUT", d.headerTimeoutMs),
                millis(env, "EDGEWAY_KEEPALIVE_TIMEOUT", d.keepAliveTimeoutMs),
                millis(env, "EDGEWAY_WRITE_TIMEOUT", d.writeTimeoutMs),
                TrustedProxies.parse(env.get("EDGEWAY_TRUSTED_PROXIES")));
    }

    public ClientLimits withTimeouts(long headerMs, long keepAliveMs, long writeMs) {
        return new ClientLimits(maxUriSize, maxHeaderSize, headerMs, keepAliveMs, writeMs, trustedProxies);
    }

    public ClientLimits withTrustedProxies(TrustedProxies trusted) {
        return new ClientLimits(maxUriSize, maxHeaderSize, headerTimeoutMs, keepAliveTimeoutMs, writeTimeoutMs,
                trusted);
    }

    private static long millis(Map<String, String> env, String name, long fallbackMs) {
        return Durations.fromEnv(env, name, Duration.ofMillis(fallbackMs)).toMillis();
    }

    private static int size(String name, Map<String, String> env, int dflt) {
        return SettingNumbers.fromEnv(env, name, dflt, "a number of bytes");
    }
}
