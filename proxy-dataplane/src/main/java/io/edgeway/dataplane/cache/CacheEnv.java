package io.edgeway.dataplane.cache;

import java.util.Map;

/**
 * The cache's byte sizes from the environment. Not {@code config.SettingNumbers}: these are longs (a disk
 * tier passes 2 GiB), and 0 has a meaning of its own (a tier that is off) where a default of 0 is given.
 */
final class CacheEnv {
    static final String MEMORY_BYTES = "EDGEWAY_CACHE_MEMORY_BYTES";
    static final String DISK_MAX_BYTES = "EDGEWAY_CACHE_DISK_MAX_BYTES";

    private CacheEnv() {
    }

    /** {@code name}'s value in bytes, {@code byDefault} when unset; 0 is accepted only where the default is 0. */
    static long bytes(Map<String, String> env, String name, long byDefault) {
        String v = env.get(name);
        try {
            long n = v == null || v.isBlank() ? byDefault : Long.parseLong(v.trim());
            if (n < 0 || (n == 0 && byDefault != 0)) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": " + v + " (expected: a number of bytes > 0)");
        }
    }
}
