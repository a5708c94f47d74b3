package io.edgeway.dataplane;

import static io.edgeway.dataplane.CacheTarget.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.proto.v1.RouteCache;
import io.netty.handler.codec.DateFormatter;
import java.nio.file.Path;
import java.util.Date;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared-cache rules of RFC 9111 one test each, through a real proxy in front of a real target on
 * loopback; the target counts the requests that reach it, which is how "served from the cache" is told.
 */
class CacheRfc9111Test {
    @TempDir
    static Path dir;
    static CacheTarget target;
    static CachingProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        target = new CacheTarget();
        proxy = CachingProxy.start(dir, target.port(), RouteCache.newBuilder().setEnabled(true).setMaxObjectBytes(4096));
    }

    @AfterAll
    static void stop() throws Exception {
        OneRouteProxy.closeAll(proxy, target);
    }

    static String now(long offsetMs) {
        return DateFormatter.format(new Date(System.currentTimeMillis() + offsetMs));
    }

    @Test
    void maxAgeMakesASecondRequestAHitWithAge() throws Exception {
        target.on("/max-age", (r, n) -> ok("v" + n, "Cache-Control: max-age=60"));
        CachingProxy.Answer first = proxy.get("/max-age");
        CachingProxy.Answer second = proxy.get("/max-age");
        assertThat(first.cacheStatus()).isEqualTo("edgeway; fwd=uri-miss; stored");
        assertThat(second.body()).isEqualTo("v0");
        assertThat(second.cacheStatus()).isEqualTo("edgeway; hit");
        assertThat(second.header("age")).isNotNull();
        assertThat(target.count("/max-age")).isEqualTo(1);
    }

    @Test
    void sMaxageWinsOverMaxAge() throws Exception {
        target.on("/s-maxage", (r, n) -> ok("v" + n, "Cache-Control: max-age=0, s-maxage=60"));
        proxy.get("/s-maxage");
        assertThat(proxy.get("/s-maxage").cacheStatus()).isEqualTo("edgeway; hit");
        assertThat(target.count("/s-maxage")).isEqualTo(1);
    }

    @Test
    void noStoreIsNeverStored() throws Exception {
        target.on("/no-store", (r, n) -> ok("v" + n, "Cache-Control: no-store, max-age=60"));
        assertThat(proxy.get("/no-store").cacheStatus()).isEqualTo("edgeway; fwd=uri-miss; detail=no-store");
        assertThat(proxy.get("/no-store").body()).isEqualTo("v1");
        assertThat(target.count("/no-store")).isEqualTo(2);
    }

    @Test
    void privateIsNotStoredByASharedCache() throws Exception {
        target.on("/private", (r, n) -> ok("v" + n, "Cache-Control: private, max-age=60"));
        assertThat(proxy.get("/private").cacheStatus()).contains("detail=private");
        assertThat(proxy.get("/private").body()).isEqualTo("v1");
    }

    @Test
    void noCacheIsStoredButRevalidatedEveryTimeAnd304RefreshesIt() throws Exception {
        target.on("/no-cache", (r, n) -> "\"e1\"".equals(r.header("if-none-match"))
                ? "HTTP/1.1 304 Not Modified\r\nETag: \"e1\"\r\nCache-Control: no-cache\r\nX-Refreshed: " + n + "\r\n\r\n"
                : ok("body-" + n, "Cache-Control: no-cache", "ETag: \"e1\""));
        assertThat(proxy.get("/no-cache").cacheStatus()).isEqualTo("edgeway; fwd=uri-miss; stored");
        CachingProxy.Answer second = proxy.get("/no-cache");
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.body()).isEqualTo("body-0");
        assertThat(second.cacheStatus()).isEqualTo("edgeway; fwd=stale; fwd-status=304");
        assertThat(second.header("x-refreshed")).isEqualTo("1"); // the 304's fields were merged into the entry
        assertThat(target.requestsFor("/no-cache").get(1).header("if-none-match")).isEqualTo("\"e1\"");
    }

    @Test
    void lastModifiedAloneRevalidatesWithIfModifiedSince() throws Exception {
        String lm = now(-3_600_000);
        target.on("/last-modified", (r, n) -> lm.equals(r.header("if-modified-since"))
                ? "HTTP/1.1 304 Not Modified\r\n\r\n"
                : ok("lm-" + n, "Cache-Control: max-age=0", "Last-Modified: " + lm));
        proxy.get("/last-modified");
        CachingProxy.Answer second = proxy.get("/last-modified");
        assertThat(second.body()).isEqualTo("lm-0");
        assertThat(second.cacheStatus()).isEqualTo("edgeway; fwd=stale; fwd-status=304");
    }

    @Test
    void mustRevalidateForbidsServingStaleOnError() throws Exception {
        target.on("/must-revalidate", (r, n) -> n == 0
                ? ok("v0", "Cache-Control: max-age=60, must-revalidate, stale-if-error=600", "Age: 61")
                : "HTTP/1.1 500 Oops\r\nContent-Length: 4\r\n\r\nfail");
        proxy.get("/must-revalidate");
        CachingProxy.Answer second = proxy.get("/must-revalidate");
        assertThat(second.status()).isEqualTo(500);
        assertThat(second.body()).isEqualTo("fail");
    }

    @Test
    void proxyRevalidateForbidsServingStaleOnErrorToo() throws Exception {
        target.on("/proxy-revalidate", (r, n) -> n == 0
                ? ok("v0", "Cache-Control: max-age=60, proxy-revalidate, stale-if-error=600", "Age: 61")
                : "HTTP/1.1 500 Oops\r\nContent-Length: 4\r\n\r\nfail");
        proxy.get("/proxy-revalidate");
        assertThat(proxy.get("/proxy-revalidate").status()).isEqualTo(500);
    }

    @Test
    void staleIfErrorHidesA5xx() throws Exception {
        target.on("/sie-5xx", (r, n) -> n == 0
                ? ok("good", "Cache-Control: max-age=60, stale-if-error=600", "Age: 61")
                : "HTTP/1.1 503 Busy\r\nContent-Length: 4\r\n\r\nbusy");
        proxy.get("/sie-5xx");
        CachingProxy.Answer second = proxy.get("/sie-5xx");
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.body()).isEqualTo("good");
        assertThat(second.cacheStatus()).isEqualTo("edgeway; fwd=stale; fwd-status=503; detail=stale-if-error");
    }

    @Test
    void expiresAfterDateIsFreshAndExpiresInThePastIsNot() throws Exception {
        target.on("/expires", (r, n) -> ok("v" + n, "Date: " + now(0), "Expires: " + now(60_000)));
        target.on("/expired", (r, n) -> ok("v" + n, "Date: " + now(0), "Expires: " + now(-60_000), "ETag: \"x\""));
        proxy.get("/expires");
        assertThat(proxy.get("/expires").cacheStatus()).isEqualTo("edgeway; hit");
        proxy.get("/expired");
        assertThat(proxy.get("/expired").cacheStatus()).startsWith("edgeway; fwd=stale");
        assertThat(target.count("/expired")).isEqualTo(2);
    }

    @Test
    void anAgeFromTheTargetCountsAgainstFreshness() throws Exception {
        target.on("/aged", (r, n) -> ok("v" + n, "Cache-Control: max-age=60", "Age: 100", "ETag: \"a\""));
        proxy.get("/aged");
        proxy.get("/aged");
        assertThat(target.count("/aged")).isEqualTo(2);
    }

    @Test
    void aRequestWithAuthorizationIsStoredOnlyWhenTheResponseSaysPublic() throws Exception {
        target.on("/auth", (r, n) -> ok("v" + n, "Cache-Control: max-age=60"));
        target.on("/auth-public", (r, n) -> ok("v" + n, "Cache-Control: public, max-age=60"));
        assertThat(proxy.get("/auth", "Authorization: Bearer alice").cacheStatus()).contains("detail=authorization");
        assertThat(proxy.get("/auth").body()).isEqualTo("v1");
        proxy.get("/auth-public", "Authorization: Bearer alice");
        assertThat(proxy.get("/auth-public", "Authorization: Bearer bob").cacheStatus()).isEqualTo("edgeway; hit");
        assertThat(target.count("/auth-public")).isEqualTo(1);
    }

    @Test
    void varyMakesTheNamedRequestHeaderASecondaryKey() throws Exception {
        target.on("/vary", (r, n) -> ok(r.header("accept-language") + n, "Cache-Control: max-age=60",
                "Vary: Accept-Language"));
        assertThat(proxy.get("/vary", "Accept-Language: en").body()).isEqualTo("en0");
        CachingProxy.Answer fr = proxy.get("/vary", "Accept-Language: fr");
        assertThat(fr.body()).isEqualTo("fr1");
        assertThat(fr.cacheStatus()).isEqualTo("edgeway; fwd=vary-miss; stored");
        CachingProxy.Answer en = proxy.get("/vary", "Accept-Language: en");
        assertThat(en.body()).isEqualTo("en0");
        assertThat(en.cacheStatus()).isEqualTo("edgeway; hit");
    }

    @Test
    void varyStarIsNeverStored() throws Exception {
        target.on("/vary-star", (r, n) -> ok("v" + n, "Cache-Control: max-age=60", "Vary: *"));
        assertThat(proxy.get("/vary-star").cacheStatus()).contains("detail=vary-star");
        assertThat(proxy.get("/vary-star").body()).isEqualTo("v1");
    }

    @Test
    void aResponseSettingACookieIsNotStored() throws Exception {
        target.on("/cookie", (r, n) -> ok("v" + n, "Cache-Control: max-age=60", "Set-Cookie: session=alice"));
        assertThat(proxy.get("/cookie").cacheStatus()).contains("detail=set-cookie");
        CachingProxy.Answer second = proxy.get("/cookie");
        assertThat(second.body()).isEqualTo("v1");
    }

    @Test
    void requestNoCacheGoesToTheTargetAndStoresTheAnswer() throws Exception {
        target.on("/req-no-cache", (r, n) -> ok("v" + n, "Cache-Control: max-age=60"));
        proxy.get("/req-no-cache");
        CachingProxy.Answer forced = proxy.get("/req-no-cache", "Cache-Control: no-cache");
        assertThat(forced.body()).isEqualTo("v1");
        assertThat(forced.cacheStatus()).isEqualTo("edgeway; fwd=request; stored");
        assertThat(proxy.get("/req-no-cache").body()).isEqualTo("v1");
    }

    @Test
    void requestMaxAgeZeroGoesToTheTarget() throws Exception {
        target.on("/req-max-age", (r, n) -> ok("v" + n, "Cache-Control: max-age=60"));
        proxy.get("/req-max-age");
        assertThat(proxy.get("/req-max-age", "Cache-Control: max-age=0").body()).isEqualTo("v1");
    }

    @Test
    void requestNoStoreIsNeitherServedNorStored() throws Exception {
        target.on("/req-no-store", (r, n) -> ok("v" + n, "Cache-Control: max-age=60"));
        assertThat(proxy.get("/req-no-store", "Cache-Control: no-store").cacheStatus()).isEqualTo("edgeway; fwd=request");
        assertThat(proxy.get("/req-no-store").cacheStatus()).isEqualTo("edgeway; fwd=uri-miss; stored");
    }

    @Test
    void aClientsIfNoneMatchOnAHitGets304() throws Exception {
        target.on("/etag", (r, n) -> ok("v" + n, "Cache-Control: max-age=60", "ETag: \"t1\""));
        proxy.get("/etag");
        CachingProxy.Answer conditional = proxy.get("/etag", "If-None-Match: \"other\", W/\"t1\"");
        assertThat(conditional.status()).isEqualTo(304);
        assertThat(conditional.header("etag")).isEqualTo("\"t1\"");
        assertThat(conditional.cacheStatus()).isEqualTo("edgeway; hit");
        assertThat(proxy.get("/etag", "If-None-Match: \"other\"").status()).isEqualTo(200);
        assertThat(target.count("/etag")).isEqualTo(1);
    }

    @Test
    void headIsServedFromTheGetEntry() throws Exception {
        target.on("/head", (r, n) -> ok("body", "Cache-Control: max-age=60"));
        proxy.get("/head");
        CachingProxy.Answer head = proxy.send("HEAD", "/head", CachingProxy.HOST);
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("content-length")).isEqualTo("4");
        assertThat(head.cacheStatus()).isEqualTo("edgeway; hit");
        assertThat(target.count("/head")).isEqualTo(1);
    }

    @Test
    void aResponseWithoutFreshnessOrValidatorsIsNotStored() throws Exception {
        target.on("/plain", (r, n) -> ok("v" + n));
        assertThat(proxy.get("/plain").cacheStatus()).isEqualTo("edgeway; fwd=uri-miss; detail=no-freshness");
        assertThat(proxy.get("/plain").body()).isEqualTo("v1");
    }

    @Test
    void aLastModifiedResponseGetsHeuristicFreshness() throws Exception {
        target.on("/heuristic", (r, n) -> ok("v" + n, "Date: " + now(0), "Last-Modified: " + now(-86_400_000)));
        proxy.get("/heuristic");
        assertThat(proxy.get("/heuristic").cacheStatus()).isEqualTo("edgeway; hit");
    }

    @Test
    void aResponseLargerThanMaxObjectBytesStreamsThroughUnstored() throws Exception {
        String big = "x".repeat(5000);
        target.on("/big", (r, n) -> ok(big, "Cache-Control: max-age=60"));
        CachingProxy.Answer first = proxy.get("/big");
        assertThat(first.body()).isEqualTo(big);
        assertThat(first.cacheStatus()).contains("detail=too-large");
        proxy.get("/big");
        assertThat(target.count("/big")).isEqualTo(2);
    }

    @Test
    void aChunkedResponseOutgrowingTheBoundIsNotStored() throws Exception {
        String chunk = "y".repeat(3000);
        String hex = Integer.toHexString(chunk.length());
        target.on("/big-chunked", (r, n) -> "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nTransfer-Encoding: chunked\r\n\r\n"
                + hex + "\r\n" + chunk + "\r\n" + hex + "\r\n" + chunk + "\r\n0\r\n\r\n");
        assertThat(proxy.get("/big-chunked").body()).isEqualTo(chunk + chunk);
        proxy.get("/big-chunked");
        assertThat(target.count("/big-chunked")).isEqualTo(2);
    }

    @Test
    void aChunkedResponseWithinTheBoundIsStored() throws Exception {
        target.on("/chunked", (r, n) -> "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
        proxy.get("/chunked");
        CachingProxy.Answer hit = proxy.get("/chunked");
        assertThat(hit.body()).isEqualTo("abcde");
        assertThat(hit.header("content-length")).isEqualTo("5");
        assertThat(target.count("/chunked")).isEqualTo(1);
    }

    @Test
    void aResponseWhoseContentLengthLiesIsNotStored() throws Exception {
        target.on("/lying", (r, n) -> "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: 100\r\n"
                + "X-Then-Close: yes\r\n\r\nonly ten b");
        proxy.get("/lying");
        proxy.get("/lying");
        assertThat(target.count("/lying")).isEqualTo(2);
    }

    @Test
    void aResponseDelimitedByCloseIsNotStored() throws Exception {
        target.on("/eof", (r, n) -> "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nX-Then-Close: yes\r\n\r\nuntil-eof");
        CachingProxy.Answer first = proxy.get("/eof");
        assertThat(first.body()).isEqualTo("until-eof");
        assertThat(first.cacheStatus()).contains("detail=unknown-length");
    }

    @Test
    void postIsForwardedAndNotStored() throws Exception {
        target.on("/post", (r, n) -> ok("v" + n, "Cache-Control: max-age=60"));
        CachingProxy.Answer post = proxy.send("POST", "/post", CachingProxy.HOST, "Content-Length: 0");
        assertThat(post.cacheStatus()).isEqualTo("edgeway; fwd=method");
        assertThat(proxy.get("/post").cacheStatus()).isEqualTo("edgeway; fwd=uri-miss; stored");
    }

    /**
     * Which statuses (RFC 9111 3 and 4.2.2, RFC 9110 15.1): with only a Last-Modified, a 404 is heuristically fresh
     * and served from the cache, a 500 is not (each request reaches the target), and a 206 is never stored even
     * with an explicit max-age, since this cache does not combine ranges.
     */
    @Test
    void a404IsHeuristicallyCacheableA500IsNotAndA206IsNeverStored() throws Exception {
        String lastModified = "Last-Modified: " + now(-3_600_000);
        target.on("/gone", (r, n) -> answer("404 Not Found", "v" + n, lastModified));
        target.on("/broken", (r, n) -> answer("500 Internal Server Error", "v" + n, lastModified));
        target.on("/part", (r, n) -> answer("206 Partial Content", "v" + n, "Cache-Control: max-age=60",
                "Content-Range: bytes 0-1/10"));

        proxy.get("/gone");
        CachingProxy.Answer gone = proxy.get("/gone");
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.cacheStatus()).isEqualTo("edgeway; hit");
        assertThat(target.count("/gone")).isEqualTo(1);

        proxy.get("/broken");
        CachingProxy.Answer broken = proxy.get("/broken");
        assertThat(broken.status()).isEqualTo(500);
        assertThat(target.count("/broken")).isEqualTo(2);

        assertThat(proxy.get("/part").cacheStatus()).isEqualTo("edgeway; fwd=uri-miss; fwd-status=206; detail=status");
        CachingProxy.Answer part = proxy.get("/part");
        assertThat(part.status()).isEqualTo(206);
        assertThat(part.body()).isEqualTo("v1");
        assertThat(target.count("/part")).isEqualTo(2);
    }

    private static String answer(String status, String body, String... headers) {
        return ok(body, headers).replaceFirst("^HTTP/1\\.1 200 OK", "HTTP/1.1 " + status);
    }
}
