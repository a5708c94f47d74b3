package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.aayushatharva.brotli4j.decoder.BrotliInputStream;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.RouteCompression;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On-the-fly compression on a real proxy (issue 17): gzip and br bodies decode to exactly the target's bytes,
 * over HTTP/1.1 and h2; the cases that must pass untouched do; Vary is merged and the ETag weakened; a large
 * chunked body streams through without the proxy holding it.
 */
class CompressionProxyTest {
    @TempDir
    static Path dir;
    static TestControlPlane cp;
    static ActionsBackend backend;
    static DataPlane dp;

    @BeforeAll
    static void start() throws Exception {
        cp = new TestControlPlane(0);
        backend = new ActionsBackend();
        dp = DataPlane.start(Settings.forTest(cp.port(), dir.resolve("data")));
        cp.push(Snapshot.newBuilder().setVersion(2).setNonce("n2")
                .addUpstreams(Upstream.newBuilder().setName("b").addTargets(OneRouteProxy.loopback(backend.port())))
                .addRoutes(Route.newBuilder().setName("c").addPaths("/c/").setUpstream("b")
                        .setCompression(RouteCompression.newBuilder().addTypes("text/*").addTypes("application/json")
                                .setMinSize(1024).setLevel(5).addAlgorithms("br").addAlgorithms("gzip")))
                .addRoutes(Route.newBuilder().setName("plain").addHosts("plain.test").setUpstream("b"))
                .build());
        await().until(() -> cp.answered(2, true));
    }

    @AfterAll
    static void stop() throws Exception {
        OneRouteProxy.closeAll(dp, backend, cp);
    }

    private static RawClient.Response send(String method, String path, String acceptEncoding) throws Exception {
        return send("c.test", method, path, acceptEncoding);
    }

    private static RawClient.Response send(String host, String method, String path, String acceptEncoding) throws Exception {
        try (RawClient c = new RawClient(dp.proxyPort())) {
            c.send(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n"
                    + (acceptEncoding == null ? "" : "Accept-Encoding: " + acceptEncoding + "\r\n") + "\r\n");
            return c.read(method.equals("HEAD"));
        }
    }

    private static byte[] sha256(InputStream in) throws Exception {
        MessageDigest md = ActionsBackend.digest();
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) > 0; ) {
            md.update(buf, 0, n);
        }
        return md.digest();
    }

    @Test
    void gzipDecodesToTheTargetsBytes() throws Exception {
        RawClient.Response r = send("GET", "/c/text", "gzip, deflate");
        assertThat(r.headers().get("content-encoding")).isEqualTo("gzip");
        assertThat(r.headers()).doesNotContainKey("content-length");
        assertThat(r.chunked()).isTrue();
        assertThat(r.headers().get("vary")).isEqualToIgnoringCase("accept-encoding");
        assertThat(r.body().length).isLessThan(5000);
        assertThat(sha256(new GZIPInputStream(new java.io.ByteArrayInputStream(r.body())))).isEqualTo(backend.sentDigest.get("text"));
    }

    @Test
    void brIsPreferredAndDecodesToTheTargetsBytes() throws Exception {
        RawClient.Response r = send("GET", "/c/json", "gzip;q=0.8, br");
        assertThat(r.headers().get("content-encoding")).isEqualTo("br");
        assertThat(sha256(new BrotliInputStream(new java.io.ByteArrayInputStream(r.body())))).isEqualTo(backend.sentDigest.get("json"));
    }

    @Test
    void qValuesPickTheCodingAndQZeroRefusesIt() throws Exception {
        assertThat(send("GET", "/c/text", "br;q=0.2, gzip;q=0.9").headers().get("content-encoding")).isEqualTo("gzip");
        assertThat(send("GET", "/c/text", "br;q=0, *").headers().get("content-encoding")).isEqualTo("gzip");
        RawClient.Response refused = send("GET", "/c/text", "gzip;q=0, br;q=0");
        assertThat(refused.headers()).doesNotContainKey("content-encoding");
        assertThat(refused.headers().get("content-length")).isEqualTo("5000");
        assertThat(refused.headers().get("vary")).isEqualToIgnoringCase("accept-encoding"); // it could have been
        assertThat(send("GET", "/c/text", "identity").headers()).doesNotContainKey("content-encoding");
        assertThat(send("GET", "/c/text", null).headers()).doesNotContainKey("content-encoding");
    }

    @Test
    void responsesThatMustNotBeCompressedPassUntouched() throws Exception {
        RawClient.Response encoded = send("GET", "/c/encoded", "gzip, br");
        assertThat(encoded.headers().get("content-encoding")).isEqualTo("gzip"); // the target's, not twice
        assertThat(encoded.headers().get("content-length")).isEqualTo("5000");
        assertThat(ActionsBackend.sha256(encoded.body())).isEqualTo(backend.sentDigest.get("encoded"));
        for (String path : new String[] {"/c/small", "/c/png", "/c/notransform"}) {
            RawClient.Response r = send("GET", path, "gzip, br");
            assertThat(r.headers()).as(path).doesNotContainKey("content-encoding");
            assertThat(ActionsBackend.sha256(r.body())).as(path).isEqualTo(backend.sentDigest.get(path.substring(3)));
        }
        RawClient.Response head = send("HEAD", "/c/text", "gzip");
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.headers()).doesNotContainKey("content-encoding");
        RawClient.Response notModified = send("GET", "/c/304", "gzip");
        assertThat(notModified.status()).isEqualTo(304);
        assertThat(notModified.headers()).doesNotContainKey("content-encoding");
        RawClient.Response otherRoute = send("plain.test", "GET", "/c/text", "gzip"); // a route without compression
        assertThat(otherRoute.headers()).doesNotContainKeys("content-encoding", "vary");
        assertThat(otherRoute.headers().get("content-length")).isEqualTo("5000");
    }

    @Test
    void varyIsMergedAndTheEtagWeakened() throws Exception {
        RawClient.Response r = send("GET", "/c/vary", "gzip");
        assertThat(r.headers().get("content-encoding")).isEqualTo("gzip");
        assertThat(r.headers().get("vary")).isEqualTo("Origin, Accept-Encoding");
        assertThat(r.headers().get("etag")).isEqualTo("W/\"v1\"");
    }

    @Test
    void h2ClientsGetCompressedDataFrames() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        URI uri = URI.create("http://127.0.0.1:" + dp.proxyPort() + "/c/text");
        client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()); // the h2c upgrade
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(uri).header("Accept-Encoding", "br").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(r.headers().firstValue("content-encoding")).contains("br");
        assertThat(r.headers().firstValue("content-length")).isEmpty();
        assertThat(sha256(new BrotliInputStream(new java.io.ByteArrayInputStream(r.body())))).isEqualTo(backend.sentDigest.get("text"));
    }

    @Test
    void aLargeChunkedBodyIsCompressedAsItStreams() throws Exception {
        int size = 64 << 20;
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + dp.proxyPort() + "/c/chunked?n=" + size)).header("Accept-Encoding", "gzip").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.headers().firstValue("content-encoding")).contains("gzip");
        MessageDigest md = ActionsBackend.digest();
        long maxDirect = 0;
        long total = 0;
        try (InputStream in = new GZIPInputStream(r.body(), 8192)) {
            byte[] buf = new byte[8192];
            for (int n, i = 0; (n = in.read(buf)) > 0; i++) {
                md.update(buf, 0, n);
                total += n;
                if (i % 256 == 0) {
                    maxDirect = Math.max(maxDirect, PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory());
                }
            }
        }
        assertThat(total).isEqualTo(size);
        assertThat(md.digest()).isEqualTo(backend.sentDigest.get("chunked"));
        // the proxy's pooled buffers stay well below the body: it was never held whole. (The pool is this JVM's: in a
        // full test run, chunks that earlier tests grew stay allocated, so the bound leaves room for them.)
        System.out.println("compressed stream of " + size + " bytes: max pooled direct memory " + maxDirect);
        assertThat(maxDirect).as("max pooled direct memory, bytes").isLessThan(size * 3 / 4);
    }
}
