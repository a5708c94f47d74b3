package io.edgeway.controlplane.site;

import java.util.Locale;
import java.util.Map;

/**
 * How much one deployment may hold. Files live in PostgreSQL and each proxy keeps every file of every
 * served deployment on disk, so the defaults are generous for a web app and small for a database.
 *
 * @param maxFileBytes       one file (EDGEWAY_SITE_MAX_FILE_SIZE, default 64 MiB); also the largest blob upload body
 * @param maxDeploymentBytes all files of one deployment (EDGEWAY_SITE_MAX_DEPLOYMENT_SIZE, default 1 GiB)
 * @param maxFiles           files in one deployment (EDGEWAY_SITE_MAX_FILES, default 20000)
 */
public record SiteLimits(long maxFileBytes, long maxDeploymentBytes, int maxFiles) {
    public static final SiteLimits DEFAULTS = new SiteLimits(64L << 20, 1L << 30, 20_000);

    public SiteLimits {
        if (maxFileBytes < 1 || maxDeploymentBytes < 1 || maxFiles < 1) {
            throw new IllegalArgumentException("site limits must be positive: " + maxFileBytes + ", "
                    + maxDeploymentBytes + ", " + maxFiles);
        }
        // a blob is read into memory whole on upload and hashed: keep it under a Java array's reach
        if (maxFileBytes > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("EDGEWAY_SITE_MAX_FILE_SIZE: " + maxFileBytes + " (expected: at most 2 GiB)");
        }
    }

    public static SiteLimits from(Map<String, String> env) {
        return new SiteLimits(
                bytes(env, "EDGEWAY_SITE_MAX_FILE_SIZE", DEFAULTS.maxFileBytes),
                bytes(env, "EDGEWAY_SITE_MAX_DEPLOYMENT_SIZE", DEFAULTS.maxDeploymentBytes),
                (int) Math.min(Integer.MAX_VALUE, number(env, "EDGEWAY_SITE_MAX_FILES", DEFAULTS.maxFiles)));
    }

    /** A size like {@code 1048576}, {@code 512KiB}, {@code 64MiB} or {@code 1GiB}. */
    static long bytes(Map<String, String> env, String name, long fallback) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        String s = v.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        for (var e : Map.of("kib", 1L << 10, "mib", 1L << 20, "gib", 1L << 30).entrySet()) {
            if (s.endsWith(e.getKey())) {
                unit = e.getValue();
                s = s.substring(0, s.length() - 3).trim();
            }
        }
        try {
            return Math.multiplyExact(Long.parseLong(s), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(name + ": " + v + " (expected: bytes, or a number with KiB, MiB or GiB)");
        }
    }

    private static long number(Map<String, String> env, String name, long fallback) {
        String v = env.get(name);
        try {
            return v == null || v.isBlank() ? fallback : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": " + v + " (expected: a whole number)");
        }
    }
}
