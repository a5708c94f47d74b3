package io.edgeway.dataplane;

import static io.edgeway.dataplane.TlsTestSupport.cert;
import static io.edgeway.dataplane.TlsTestSupport.curl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.dataplane.TlsTestSupport.TestCert;
import io.edgeway.proto.v1.AcmeHttpChallenge;
import io.edgeway.proto.v1.AcmeTlsAlpnChallenge;
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
 * HTTP-01 tokens pushed in the snapshot are answered on the plain port before any route (a catch-all route and
 * an https_redirect route would otherwise take the request), only for GET/HEAD of a well-formed open token;
 * nothing else under the path reaches a target, and the TLS port never answers them.
 */
class AcmeHttpChallengeTest {
    private static final String TOKEN = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA";
    private static final String KEY_AUTH = TOKEN + ".9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI";
    @TempDir
    static Path dir;
    static TestControlPlane cp;
    static TestBackend backend;
    static DataPlane dp;
    static TestCert certs;
    static TestCert challenge;
    static final HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeAll
    static void start() throws Exception {
        certs = cert(dir, "shop", "EC", "shop.test");
        challenge = cert(dir, "challenge", "EC", "shop.test");
        cp = new TestControlPlane(0);
        backend = new TestBackend("backend");
        dp = DataPlane.start(Settings.forTest(cp.port(), dir.resolve("data")));
        cp.push(Snapshot.newBuilder().setVersion(2).setNonce("n2")
                .addUpstreams(Upstream.newBuilder().setName("b").addTargets(OneRouteProxy.loopback(backend.port())))
                .addRoutes(Route.newBuilder().setName("secure").addHosts("shop.test").setUpstream("b").setHttpsRedirect(true))
                .addRoutes(Route.newBuilder().setName("all").addPaths("/").setUpstream("b"))
                .addCertificates(certs.proto("shop.test"))
                .addAcmeHttpChallenges(AcmeHttpChallenge.newBuilder().setToken(TOKEN).setKeyAuthorization(KEY_AUTH))
                .addAcmeTlsAlpnChallenges(AcmeTlsAlpnChallenge.newBuilder().setDomain("shop.test")
                        .setCertPem(challenge.pem().certChainPem()).setPrivateKeyPem(challenge.pem().privateKeyPem()))
                .build());
        await().until(() -> cp.answered(2, true));
    }

    @AfterAll
    static void stop() throws Exception {
        OneRouteProxy.closeAll(dp, backend, cp);
    }

    private static HttpResponse<String> get(String method, String host, String path) throws Exception {
        return plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.proxyPort() + path)).header("Host", host)
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anOpenTokenIsAnsweredBeforeTheRedirectAndTheCatchAllRoute() throws Exception {
        int before = backend.requests.get();
        HttpResponse<String> r = get("GET", "shop.test", "/.well-known/acme-challenge/" + TOKEN);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(KEY_AUTH);
        assertThat(get("GET", "other.test", "/.well-known/acme-challenge/" + TOKEN).body()).isEqualTo(KEY_AUTH);
        assertThat(get("HEAD", "shop.test", "/.well-known/acme-challenge/" + TOKEN).statusCode()).isEqualTo(200);
        assertThat(backend.requests.get()).isEqualTo(before);
        // outside the challenge path, the redirect and the routes are as before
        assertThat(get("GET", "shop.test", "/").statusCode()).isEqualTo(308);
    }

    @Test
    void unknownMalformedOrNonGetChallengesAre404AndNeverReachATarget() throws Exception {
        int before = backend.requests.get();
        for (String path : new String[] {
                "/.well-known/acme-challenge/" + TOKEN.replace('e', 'f'),
                "/.well-known/acme-challenge/",
                "/.well-known/acme-challenge/" + TOKEN + "/x",
                "/.well-known/acme-challenge/%2e%2e%2f" + TOKEN,
                "/.well-known/acme-challenge/" + TOKEN + "%00"}) {
            assertThat(get("GET", "shop.test", path).statusCode()).as(path).isIn(400, 404);
        }
        assertThat(get("DELETE", "shop.test", "/.well-known/acme-challenge/" + TOKEN).statusCode()).isEqualTo(404);
        assertThat(backend.requests.get()).isEqualTo(before);
    }

    @Test
    void theTlsPortDoesNotAnswerHttp01() throws Exception {
        TlsTestSupport.Run r = curl("shop.test", dp.tlsPort(), "/.well-known/acme-challenge/" + TOKEN, certs.certFile());
        assertThat(r.output()).doesNotContain(KEY_AUTH);
    }

    @Test
    void acmeTls1HandshakesGetTheChallengeCertificateAndOthersTheSites() throws Exception {
        String challengeLeaf = fingerprint(challenge.certFile());
        String siteLeaf = fingerprint(certs.certFile());
        String acme = TlsTestSupport.sClient(dp.tlsPort(), "-servername", "shop.test", "-alpn", "acme-tls/1").output();
        assertThat(acme).contains("ALPN protocol: acme-tls/1");
        assertThat(served(acme)).isEqualTo(challengeLeaf);
        String site = TlsTestSupport.sClient(dp.tlsPort(), "-servername", "shop.test", "-alpn", "h2,http/1.1").output();
        assertThat(served(site)).isEqualTo(siteLeaf);
        // acme-tls/1 for a name with no open challenge: refused, never the site's certificate (RFC 8737 3)
        String none = TlsTestSupport.sClient(dp.tlsPort(), "-servername", "other.test", "-alpn", "acme-tls/1").output();
        assertThat(none).containsIgnoringCase("unrecognized name").doesNotContain("BEGIN CERTIFICATE");
    }

    /** The SHA-256 fingerprint of the leaf s_client printed, as openssl x509 gives it. */
    private static String served(String sClientOutput) throws Exception {
        int from = sClientOutput.indexOf("-----BEGIN CERTIFICATE-----");
        int to = sClientOutput.indexOf("-----END CERTIFICATE-----");
        assertThat(from).as(sClientOutput).isNotNegative();
        Path leaf = dir.resolve("served.pem");
        java.nio.file.Files.writeString(leaf, sClientOutput.substring(from, to + 25) + "\n");
        return fingerprint(leaf);
    }

    private static String fingerprint(Path pem) throws Exception {
        return TlsTestSupport.run("openssl", "x509", "-in", pem.toString(), "-noout", "-fingerprint", "-sha256").output().trim();
    }

    @Test
    void aBadChallengeIsQuarantinedAndTheRestOfTheSnapshotStillApplies() throws Exception {
        // Partial rejection (issue 22): the bad token is left out and named in the Ack; the good one stays open.
        cp.push(cp.latest().toBuilder().setVersion(3).setNonce("n3")
                .addAcmeHttpChallenges(AcmeHttpChallenge.newBuilder().setToken("a/../b").setKeyAuthorization("x"))
                .build());
        await().until(() -> cp.answered(3, true));
        assertThat(cp.ack(3).getAck().getQuarantinedList())
                .anySatisfy(e -> {
                    assertThat(e.getKind()).isEqualTo("acme_http_challenge");
                    assertThat(e.getField()).isEqualTo("token");
                });
        assertThat(get("GET", "shop.test", "/.well-known/acme-challenge/" + TOKEN).body()).isEqualTo(KEY_AUTH);
        assertThat(get("GET", "shop.test", "/.well-known/acme-challenge/a/../b").statusCode()).isIn(400, 404);
    }
}
