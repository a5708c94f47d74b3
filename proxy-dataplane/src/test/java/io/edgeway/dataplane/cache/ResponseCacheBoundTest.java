package io.edgeway.dataplane.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ResponseCacheBoundTest {
    private static CachedResponse entry(String key, int bytes, Set<String> tags) {
        return new CachedResponse(key, 200, new DefaultHttpHeaders().add("content-type", "text/plain"),
                StoredBody.of(new byte[bytes], bytes), System.currentTimeMillis(), 0, 60_000,
                new CachedResponse.Directives(false, false, false, 0, 0), null, -1, List.of(), tags);
    }

    @Test
    void theMemoryTierNeverHoldsMoreThanItsBoundInBytes() {
        long bound = 64 * 1024;
        ResponseCache cache = new ResponseCache(bound);
        for (int i = 0; i < 200; i++) {
            cache.store("http://h/" + i, new DefaultHttpHeaders(), entry("http://h/" + i, 4096, Set.of()));
            assertThat(cache.weightedSize()).isLessThanOrEqualTo(bound);
        }
        assertThat(cache.entries()).isBetween(1L, 16L);
    }

    @Test
    void purgesRemoveByUrlPrefixAndTagAcrossSchemesAndPorts() {
        ResponseCache cache = new ResponseCache(1 << 20);
        cache.store("http://shop.test/a?x=1", new DefaultHttpHeaders(), entry("k1", 10, Set.of("product-42")));
        cache.store("https://Shop.Test:8443/a?x=1", new DefaultHttpHeaders(), entry("k2", 10, Set.of()));
        cache.store("http://shop.test/b/1", new DefaultHttpHeaders(), entry("k3", 10, Set.of()));
        cache.store("http://shop.test/b/2", new DefaultHttpHeaders(), entry("k4", 10, Set.of("product-42")));
        cache.store("http://other.test/b/3", new DefaultHttpHeaders(), entry("k5", 10, Set.of()));
        assertThat(cache.purgeUrl("shop.test/a?x=1")).isEqualTo(2);
        assertThat(cache.purgePrefix("shop.test/b/")).isEqualTo(2);
        assertThat(cache.entries()).isEqualTo(1);
        cache.store("http://shop.test/c", new DefaultHttpHeaders(), entry("k6", 10, Set.of("a", "product-42")));
        assertThat(cache.purgeTag("product-42")).isEqualTo(1);
        assertThat(cache.entries()).isEqualTo(1);
    }
}
