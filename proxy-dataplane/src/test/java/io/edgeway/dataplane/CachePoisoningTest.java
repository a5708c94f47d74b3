package io.edgeway.dataplane;

import static io.edgeway.dataplane.CacheTarget.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.proto.v1.RouteCache;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on the cache key. What keys an entry: scheme, the Host header as received, the request target, the
 * route's key headers, and the headers the response names in Vary. Everything else a client sends is unkeyed.
 */
class CachePoisoningTest {
    @TempDir
    static Path dir;
    static CacheTarget target;
    static CachingProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        target = new CacheTarget();
        proxy = CachingProxy.start(dir, target.port(), RouteCache.newBuilder().setEnabled(true));
    }

    @AfterAll
    static void stop() throws Exception {
        OneRouteProxy.closeAll(proxy, target);
    }

    @Test
    void anAmbiguousRequestIsRefusedBeforeItCanMakeACacheEntry() throws Exception {
        target.on("/smuggle", (r, n) -> ok("v" + n, "Cache-Control: max-age=60"));
        CachingProxy.Answer refused = proxy.raw("GET /smuggle HTTP/1.1\r\nHost: cache.test\r\nContent-Length: 5\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggle HTTP/1.1\r\nHost: cache.test\r\n\r\n", true);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(target.count("/smuggle")).isZero();
        CachingProxy.Answer next = proxy.get("/smuggle"); // nothing was stored for the URL either
        assertThat(next.cacheStatus()).isEqualTo("edgeway; fwd=uri-miss; stored");
        assertThat(target.count("/smuggle")).isEqualTo(1);
    }

    @Test
    void eachHostHeaderVariantHasItsOwnEntry() throws Exception {
        target.on("/host", (r, n) -> ok("for " + r.header("host"), "Cache-Control: max-age=60"));
        assertThat(proxy.send("GET", "/host", "a.cache.test").body()).isEqualTo("for a.cache.test");
        CachingProxy.Answer other = proxy.send("GET", "/host", "b.cache.test");
        assertThat(other.body()).isEqualTo("for b.cache.test");
        assertThat(other.cacheStatus()).isEqualTo("edgeway; fwd=uri-miss; stored");
        CachingProxy.Answer upper = proxy.send("GET", "/host", "A.CACHE.TEST");
        assertThat(upper.body()).isEqualTo("for A.CACHE.TEST");
        assertThat(proxy.send("GET", "/host", "a.cache.test").body()).isEqualTo("for a.cache.test");
    }

    @Test
    void aForwardedHostFromAClientCannotPoisonTheEntry() throws Exception {
        target.on("/reflect", (r, n) -> ok("<a href=//" + r.header("x-forwarded-host") + "/>", "Cache-Control: max-age=60"));
        CachingProxy.Answer attack = proxy.get("/reflect", "X-Forwarded-Host: evil.example");
        assertThat(attack.body()).doesNotContain("evil");
        CachingProxy.Answer victim = proxy.get("/reflect");
        assertThat(victim.cacheStatus()).isEqualTo("edgeway; hit");
        assertThat(victim.body()).isEqualTo("<a href=//cache.test/>");
    }

    @Test
    void aHeaderTheResponseVariesOnCannotPoisonOthers() throws Exception {
        target.on("/reflect-varied", (r, n) -> ok("hello " + r.header("x-user-agent-hint"), "Cache-Control: max-age=60",
                "Vary: X-User-Agent-Hint"));
        proxy.get("/reflect-varied", "X-User-Agent-Hint: <script>");
        CachingProxy.Answer victim = proxy.get("/reflect-varied");
        assertThat(victim.body()).isEqualTo("hello null");
        assertThat(victim.cacheStatus()).isEqualTo("edgeway; fwd=vary-miss; stored");
    }

    @Test
    void theRoutesKeyHeadersSplitEntries() throws Exception {
        target.on("/tenant", (r, n) -> ok("tenant " + r.header("x-tenant"), "Cache-Control: max-age=60"));
        assertThat(proxy.send("GET", "/tenant", "keyed.test", "X-Tenant: a").body()).isEqualTo("tenant a");
        assertThat(proxy.send("GET", "/tenant", "keyed.test", "X-Tenant: b").body()).isEqualTo("tenant b");
        CachingProxy.Answer again = proxy.send("GET", "/tenant", "keyed.test", "X-Tenant: a");
        assertThat(again.body()).isEqualTo("tenant a");
        assertThat(again.cacheStatus()).isEqualTo("edgeway; hit");
    }

    @Test
    void aGetWithABodyIsRefusedAndLeavesTheEntryAlone() throws Exception {
        target.on("/get-body", (r, n) -> ok("v" + n, "Cache-Control: max-age=60"));
        proxy.get("/get-body");
        CachingProxy.Answer withBody = proxy.raw("GET /get-body HTTP/1.1\r\nHost: cache.test\r\nConnection: close\r\n"
                + "Content-Length: 5\r\n\r\nevil!", true);
        assertThat(withBody.status()).isEqualTo(400); // the body is not part of the key, so it never reaches the cache
        assertThat(proxy.get("/get-body").body()).isEqualTo("v0");
        assertThat(target.count("/get-body")).isEqualTo(1);
    }
}
