package io.edgeway.dataplane;

import static io.edgeway.dataplane.TlsTestSupport.cert;
import static io.edgeway.dataplane.TlsTestSupport.curl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.dataplane.TlsTestSupport.Run;
import io.edgeway.dataplane.TlsTestSupport.TestCert;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-route HTTPS policy: https_redirect answers plain HTTP with 308 to the https:// URL (port 443 left
 * out), and HSTS goes on responses over TLS only; routes without a policy are untouched.
 */
class TlsHttpsPolicyTest {
    @TempDir
    static Path dir;
    static TestControlPlane cp;
    static TestBackend backend;
    static DataPlane dp;
    static TestCert certs;
    static final HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeAll
    static void start() throws Exception {
        certs = cert(dir, "both", "EC", "secure.test", "plain.test", "hsts.test");
        cp = new TestControlPlane(0);
        backend = new TestBackend("backend");
        dp = DataPlane.start(Settings.forTest(cp.port(), dir.resolve("data")));
        cp.push(Snapshot.newBuilder().setVersion(2).setNonce("n2")
                .addUpstreams(Upstream.newBuilder().setName("b").addTargets(OneRouteProxy.loopback(backend.port())))
                .addRoutes(Route.newBuilder().setName("secure").addHosts("secure.test").setUpstream("b")
                        .setHttpsRedirect(true).setHstsMaxAgeS(31_536_000).setHstsIncludeSubdomains(true))
                .addRoutes(Route.newBuilder().setName("plain").addHosts("plain.test").setUpstream("b"))
                .addRoutes(Route.newBuilder().setName("hsts-only").addHosts("hsts.test").setUpstream("b").setHstsMaxAgeS(600))
                .addCertificates(certs.proto("secure.test", "plain.test", "hsts.test")).build());
        await().until(() -> cp.answered(2, true));
    }

    @AfterAll
    static void stop() throws Exception {
        OneRouteProxy.closeAll(dp, backend, cp);
    }

    private static HttpResponse<String> overHttp(String method, String host, String path) throws Exception {
        return plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.proxyPort() + path)).header("Host", host)
                .method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString("body") : HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void plainHttpToARedirectingRouteGets308ToTheHttpsUrlAndNeverReachesTheTarget() throws Exception {
        int before = backend.requests.get();
        HttpResponse<String> get = overHttp("GET", "secure.test:8000", "/a/b?x=1&y=%20");
        assertThat(get.statusCode()).isEqualTo(308);
        assertThat(get.headers().firstValue("location")).hasValue("https://secure.test/a/b?x=1&y=%20");
        assertThat(get.headers().firstValue("strict-transport-security")).isEmpty(); // never over plain HTTP
        HttpResponse<String> post = overHttp("POST", "secure.test", "/form");
        assertThat(post.statusCode()).isEqualTo(308);
        assertThat(post.headers().firstValue("location")).hasValue("https://secure.test/form");
        assertThat(backend.requests.get()).isEqualTo(before);
        assertThat(overHttp("GET", "plain.test", "/").statusCode()).isEqualTo(200);
    }

    @Test
    void hstsIsNeverSentOverPlainHttp() throws Exception {
        HttpResponse<String> r = overHttp("GET", "hsts.test", "/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("strict-transport-security")).isEmpty();
        Run tls = curl("hsts.test", dp.tlsPort(), "/", certs.certFile(), "-i");
        assertThat(tls.output()).containsIgnoringCase("strict-transport-security: max-age=600\r\n");
    }

    @Test
    void responsesOverTlsCarryTheRoutesHstsOverHttp1AndH2() throws Exception {
        for (String version : new String[] {"--http1.1", "--http2"}) {
            Run secure = curl("secure.test", dp.tlsPort(), "/", certs.certFile(), "-i", version);
            assertThat(secure.output()).as(secure.output()).contains("200")
                    .containsIgnoringCase("strict-transport-security: max-age=31536000; includeSubDomains").contains("backend");
            Run other = curl("plain.test", dp.tlsPort(), "/", certs.certFile(), "-i", version);
            assertThat(other.output()).contains("200").doesNotContainIgnoringCase("strict-transport-security");
        }
    }
}
