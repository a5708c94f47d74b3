package io.edgeway.dataplane.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.dataplane.config.ConfigError;
import io.edgeway.proto.v1.RouteRateLimit;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

/** The rate limit table's memory does not grow with the number of distinct keys. */
class RateBucketsMemoryTest {

    @Test
    void aMillionDistinctKeysKeepTheHeapBoundedByTheTable() {
        RateLimitSpec spec = RateLimitSpec.from("r", RouteRateLimit.newBuilder().setRequests(1).setPerMs(3_600_000)
                .setBurst(5).setBy("header:X-Api-Key").build(), new ArrayList<ConfigError>());
        RateLimits limits = new RateLimits(1 << 12); // 4096 buckets: ~150 KiB at most
        RateVerdict v = new RateVerdict();
        StringBuilder key = new StringBuilder("key-");
        long before = usedHeapAfterGc();
        long now = System.nanoTime();
        for (int i = 0; i < 1_000_000; i++) {
            key.setLength(4);
            key.append(i);
            // every key busy for an hour: nothing refills, so the table is at its bound and must evict
            limits.admitKey(spec, key, now, v);
            assertThat(v.allowed()).isTrue(); // fail open at the bound: a new key is never refused for lack of room
        }
        long grown = usedHeapAfterGc() - before;
        // a bucket per key would hold >= 32 MB (a million 32-byte objects); the table allows ~150 KiB
        assertThat(grown).isLessThan(8L << 20);
        // and the keys still in the table are limited: the last one has used one of its five tokens
        limits.admitKey(spec, key, now, v);
        assertThat(v.remaining()).isEqualTo(3);
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
