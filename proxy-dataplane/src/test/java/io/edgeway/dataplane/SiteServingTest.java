package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real proxy on loopback serving the committed Vite build plus a few files for ranges, variants and directories. */
class SiteServingTest {
    static final long DEPLOYED_AT = 1_765_000_000_000L; // 2025-12-06T05:46:40Z
    static final String LAST_MODIFIED = "Sat, 6 Dec 2025 05:46:40 GMT";
    static final String JS = "assets/index-DT-jHzsZ.js";

    @TempDir
    static Path dataDir;
    static TestControlPlane cp;
    static DataPlane dp;
    static SiteFixture site;
    static byte[] media;
    static byte[] readme = "Read me. ".repeat(300).getBytes(StandardCharsets.UTF_8);
    static byte[] readmeBr = "pretend-brotli-bytes".getBytes(StandardCharsets.US_ASCII);

    @BeforeAll
    static void start() throws Exception {
        media = new byte[300_000];
        new Random(7).nextBytes(media);
        site = new SiteFixture("shop", "d1", DEPLOYED_AT).dir(SiteFixture.viteBuild("dist"))
                .file("media/clip.mp4", media)
                .fileWithVariants("readme.txt", readme, readmeBr)
                .file("docs/index.html", "<h1>docs</h1>".getBytes(StandardCharsets.UTF_8));
        cp = new TestControlPlane(0);
        cp.blobs.putAll(site.blobs);
        dp = DataPlane.start(Settings.forTest(cp.port(), dataDir));
        cp.push(SiteFixture.snapshot(2, "shop.test", true, site.build()));
        await().until(() -> cp.answered(2, true));
    }

    @AfterAll
    static void stop() throws Exception {
        OneRouteProxy.closeAll(dp, cp);
    }

    static RawClient.Response get(String path, String... headers) throws IOException {
        return request("GET", path, headers);
    }

    static RawClient.Response request(String method, String path, String... headers) throws IOException {
        try (RawClient c = new RawClient(dp.proxyPort())) {
            c.send(method + " " + path + " HTTP/1.1\r\nHost: shop.test\r\n" + String.join("", Arrays.stream(headers)
                    .map(h -> h + "\r\n").toList()) + "\r\n");
            return c.read(method.equals("HEAD"));
        }
    }

    @Test
    void theViteAppsIndexAndHashedAssetsComeWithTheirTypesAndCachePolicies() throws Exception {
        RawClient.Response index = get("/");
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.body()).isEqualTo(site.files.get("index.html"));
        assertThat(index.headers()).containsEntry("content-type", "text/html; charset=utf-8")
                .containsEntry("cache-control", "no-cache")
                .containsEntry("etag", "\"" + SiteFixture.sha256(site.files.get("index.html")) + "\"")
                .containsEntry("last-modified", LAST_MODIFIED);
        RawClient.Response js = get("/" + JS);
        assertThat(js.status()).isEqualTo(200);
        assertThat(js.body()).isEqualTo(site.files.get(JS));
        assertThat(js.headers()).containsEntry("content-type", "text/javascript; charset=utf-8")
                .containsEntry("cache-control", "public, max-age=31536000, immutable");
        assertThat(get("/media/clip.mp4").headers()).containsEntry("cache-control", "no-cache"); // not a hashed name
    }

    @Test
    void spaFallbackAnswersIndexForPathsWithoutAnExtensionAnd404ForMissingFiles() throws Exception {
        assertThat(get("/users/42").body()).isEqualTo(site.files.get("index.html"));
        assertThat(get("/users/42/").body()).isEqualTo(site.files.get("index.html"));
        assertThat(get("/users/42?tab=1").status()).isEqualTo(200);
        assertThat(get("/assets/missing-Abcdef12.js").status()).isEqualTo(404);
        assertThat(get("/logo.png").status()).isEqualTo(404);
    }

    @Test
    void aDirectoryServesItsIndexAndWithoutTheSlashRedirectsToIt() throws Exception {
        assertThat(get("/docs/").text()).isEqualTo("<h1>docs</h1>");
        RawClient.Response redirect = get("/docs?x=1");
        assertThat(redirect.status()).isEqualTo(301);
        assertThat(redirect.headers()).containsEntry("location", "/docs/?x=1");
    }

    @Test
    void conditionalRequestsGet304WithTheValidators() throws Exception {
        String etag = get("/" + JS).headers().get("etag");
        RawClient.Response same = get("/" + JS, "If-None-Match: \"other\", " + etag);
        assertThat(same.status()).isEqualTo(304);
        assertThat(same.headers()).containsEntry("etag", etag).containsEntry("last-modified", LAST_MODIFIED);
        assertThat(get("/" + JS, "If-None-Match: W/" + etag).status()).isEqualTo(304);
        assertThat(get("/" + JS, "If-None-Match: \"other\"").status()).isEqualTo(200);
        assertThat(get("/" + JS, "If-Modified-Since: " + LAST_MODIFIED).status()).isEqualTo(304);
        assertThat(get("/" + JS, "If-Modified-Since: Fri, 5 Dec 2025 05:46:40 GMT").status()).isEqualTo(200);
        // If-None-Match wins over If-Modified-Since (RFC 9110 13.1.3)
        assertThat(get("/" + JS, "If-None-Match: \"other\"", "If-Modified-Since: " + LAST_MODIFIED).status())
                .isEqualTo(200);
    }

    @Test
    void aSingleRangeIs206AnUnsatisfiableOne416AndSeveralTheWholeFile() throws Exception {
        RawClient.Response part = get("/media/clip.mp4", "Range: bytes=1000-1999");
        assertThat(part.status()).isEqualTo(206);
        assertThat(part.headers()).containsEntry("content-range", "bytes 1000-1999/" + media.length);
        assertThat(part.body()).isEqualTo(Arrays.copyOfRange(media, 1000, 2000));
        RawClient.Response suffix = get("/media/clip.mp4", "Range: bytes=-10");
        assertThat(suffix.body()).isEqualTo(Arrays.copyOfRange(media, media.length - 10, media.length));
        RawClient.Response open = get("/media/clip.mp4", "Range: bytes=299990-");
        assertThat(open.headers()).containsEntry("content-range", "bytes 299990-299999/300000");
        RawClient.Response beyond = get("/media/clip.mp4", "Range: bytes=300000-300100");
        assertThat(beyond.status()).isEqualTo(416);
        assertThat(beyond.headers()).containsEntry("content-range", "bytes */300000");
        RawClient.Response several = get("/media/clip.mp4", "Range: bytes=0-1,5-9");
        assertThat(several.status()).isEqualTo(200);
        assertThat(several.body()).isEqualTo(media);
        assertThat(get("/media/clip.mp4", "Range: bytes=9-1").status()).isEqualTo(200); // invalid: ignored
    }

    @Test
    void ifRangeHonoursTheRangeOnlyForTheCurrentValidator() throws Exception {
        String etag = get("/media/clip.mp4").headers().get("etag");
        assertThat(get("/media/clip.mp4", "Range: bytes=0-9", "If-Range: " + etag).status()).isEqualTo(206);
        assertThat(get("/media/clip.mp4", "Range: bytes=0-9", "If-Range: " + LAST_MODIFIED).status()).isEqualTo(206);
        RawClient.Response stale = get("/media/clip.mp4", "Range: bytes=0-9", "If-Range: \"old\"");
        assertThat(stale.status()).isEqualTo(200);
        assertThat(stale.body()).isEqualTo(media);
    }

    @Test
    void headAnswersTheHeadersOfGetWithoutABodyAndOtherMethodsGet405() throws Exception {
        try (RawClient c = new RawClient(dp.proxyPort())) {
            c.send("HEAD /" + JS + " HTTP/1.1\r\nHost: shop.test\r\n\r\n");
            RawClient.Response head = c.read(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.headers()).containsEntry("content-length", String.valueOf(site.files.get(JS).length));
            c.send("GET / HTTP/1.1\r\nHost: shop.test\r\n\r\n"); // the HEAD left no body bytes on the connection
            assertThat(c.read(false).body()).isEqualTo(site.files.get("index.html"));
        }
        RawClient.Response post = request("POST", "/", "Content-Length: 0");
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.headers()).containsEntry("allow", "GET, HEAD");
    }

    @Test
    void precompressedVariantsFollowAcceptEncodingWithQValuesAndVary() throws Exception {
        RawClient.Response gz = get("/readme.txt", "Accept-Encoding: gzip");
        assertThat(gz.headers()).containsEntry("content-encoding", "gzip").containsEntry("vary", "Accept-Encoding");
        assertThat(new GZIPInputStream(new ByteArrayInputStream(gz.body())).readAllBytes()).isEqualTo(readme);
        RawClient.Response br = get("/readme.txt", "Accept-Encoding: gzip, deflate, br");
        assertThat(br.headers()).containsEntry("content-encoding", "br");
        assertThat(br.body()).isEqualTo(readmeBr);
        assertThat(get("/readme.txt", "Accept-Encoding: br;q=0, gzip").headers()).containsEntry("content-encoding", "gzip");
        assertThat(get("/readme.txt", "Accept-Encoding: br;q=0.5, gzip;q=0.8").headers())
                .containsEntry("content-encoding", "gzip");
        RawClient.Response identity = get("/readme.txt", "Accept-Encoding: gzip;q=0, br;q=0");
        assertThat(identity.headers()).doesNotContainKey("content-encoding").containsEntry("vary", "Accept-Encoding");
        assertThat(identity.body()).isEqualTo(readme);
        RawClient.Response none = get("/readme.txt");
        assertThat(none.body()).isEqualTo(readme);
        assertThat(none.headers()).containsEntry("vary", "Accept-Encoding");
        // each representation has its own strong validator
        assertThat(gz.headers().get("etag")).isNotEqualTo(none.headers().get("etag"));
        assertThat(get("/readme.txt", "Accept-Encoding: gzip", "If-None-Match: " + gz.headers().get("etag")).status())
                .isEqualTo(304);
        assertThat(get("/" + JS, "Accept-Encoding: gzip").headers()).doesNotContainKey("vary"); // no variants
    }

    @Test
    void keepAliveAndPipelinedRequestsWorkAfterLargeFiles() throws Exception {
        try (RawClient c = new RawClient(dp.proxyPort())) {
            String big = "GET /media/clip.mp4 HTTP/1.1\r\nHost: shop.test\r\n\r\n";
            c.send(big + "GET / HTTP/1.1\r\nHost: shop.test\r\n\r\n" + big); // pipelined
            assertThat(c.read(false).body()).isEqualTo(media);
            assertThat(c.read(false).body()).isEqualTo(site.files.get("index.html"));
            assertThat(c.read(false).body()).isEqualTo(media);
            c.send("GET /readme.txt HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n");
            RawClient.Response last = c.read(false);
            assertThat(last.body()).isEqualTo(readme);
            assertThat(last.headers()).containsEntry("connection", "close");
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void siteAnswersCountInTheRoutesRequestMetrics() throws Exception {
        String series = "edgeway_requests_total{method=\"GET\",route=\"app\",status_class=\"4xx\",upstream=\"\"}";
        double before = Math.max(0, ProxyMetricsTest.sample(metrics(), series));
        assertThat(get("/nothing.png").status()).isEqualTo(404);
        assertThat(get("/nothing.gif").status()).isEqualTo(404);
        await().until(() -> ProxyMetricsTest.sample(metrics(), series) == before + 2);
    }

    static String metrics() throws Exception {
        try (RawClient c = new RawClient(dp.statusPort())) {
            c.send("GET /metrics HTTP/1.1\r\nHost: status\r\nConnection: close\r\n\r\n");
            return c.read(false).text();
        }
    }

    @Test
    void blobsAreStoredByHashWithOwnerOnlyModes() throws Exception {
        Path blobs = dataDir.resolve("sites/blobs");
        assertThat(Files.getPosixFilePermissions(blobs)).isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        for (String sha : site.blobs.keySet()) {
            assertThat(Files.readAllBytes(blobs.resolve(sha))).isEqualTo(site.blobs.get(sha));
            assertThat(Files.getPosixFilePermissions(blobs.resolve(sha)))
                    .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        }
    }
}
