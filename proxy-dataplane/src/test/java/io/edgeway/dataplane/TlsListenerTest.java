package io.edgeway.dataplane;

import static io.edgeway.dataplane.TlsTestSupport.cert;
import static io.edgeway.dataplane.TlsTestSupport.curl;
import static io.edgeway.dataplane.TlsTestSupport.sClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.dataplane.TlsTestSupport.Run;
import io.edgeway.dataplane.TlsTestSupport.TestCert;
import io.edgeway.dataplane.tls.DefaultCertificate;
import io.edgeway.dataplane.tls.TlsSettings;
import io.edgeway.proto.v1.Certificate;
import io.edgeway.proto.v1.ResourceError;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS listener with real clients (curl, openssl s_client, the JDK HttpClient): SNI exact and wildcard,
 * unrecognized_name, ALPN to the HTTP/1.1 and HTTP/2 pipelines, the protocol floor, ECDSA and RSA for one
 * name, and a bad certificate in a snapshot.
 */
class TlsListenerTest {
    @TempDir
    static Path dir;
    static TestControlPlane cp;
    static TestBackend backend;
    static DataPlane dp;
    static TestCert shop;      // EC, shop.test (and localhost, for the JDK client)
    static TestCert api;       // RSA, api.test
    static TestCert wild;      // EC, *.wild.test
    static TestCert dualEc;    // dual.test, ECDSA
    static TestCert dualRsa;   // dual.test, RSA

    @BeforeAll
    static void start() throws Exception {
        shop = cert(dir, "shop", "EC", "shop.test", "localhost");
        api = cert(dir, "api", "RSA", "api.test");
        wild = cert(dir, "wild", "EC", "*.wild.test");
        dualEc = cert(dir, "dual-ec", "EC", "dual.test");
        dualRsa = cert(dir, "dual-rsa", "RSA", "dual.test");
        cp = new TestControlPlane(0);
        backend = new TestBackend("backend");
        dp = DataPlane.start(Settings.forTest(cp.port(), dir.resolve("data")));
        cp.push(snapshot(2, shop.proto("shop.test"), api.proto("api.test"), wild.proto("*.wild.test"),
                dualEc.proto("dual.test"), dualRsa.proto("dual.test")));
        await().until(() -> cp.answered(2, true));
    }

    static Snapshot snapshot(long version, Certificate... certs) {
        return Snapshot.newBuilder().setVersion(version).setNonce("n" + version)
                .addUpstreams(Upstream.newBuilder().setName("b").addTargets(OneRouteProxy.loopback(backend.port())))
                .addRoutes(Route.newBuilder().setName("all").setUpstream("b"))
                .addAllCertificates(List.of(certs)).build();
    }

    @AfterAll
    static void stop() throws Exception {
        OneRouteProxy.closeAll(dp, backend, cp);
    }

    @Test
    void curlGetsTheCertificateOfEachSniExactAndWildcardAndTheTargetSeesHttps() throws Exception {
        Run a = curl("shop.test", dp.tlsPort(), "/a", shop.certFile());
        assertThat(a.output()).as(a.output()).isEqualTo("backend\n2");
        assertThat(backend.lastHeaders.get("x-forwarded-proto")).isEqualTo("https");
        Run b = curl("api.test", dp.tlsPort(), "/b", api.certFile(), "--http1.1");
        assertThat(b.output()).as(b.output()).isEqualTo("backend\n1.1");
        assertThat(backend.lastHeaders.get("x-forwarded-proto")).isEqualTo("https");
        Run w = curl("x.wild.test", dp.tlsPort(), "/w", wild.certFile());
        assertThat(w.output()).as(w.output()).isEqualTo("backend\n2");
        // a wildcard covers one label only, and a certificate is checked against the name asked for
        Run deep = curl("a.b.wild.test", dp.tlsPort(), "/", wild.certFile());
        assertThat(deep.exit()).isNotZero();
        assertThat(curl("api.test", dp.tlsPort(), "/", shop.certFile()).exit()).isNotZero();
    }

    @Test
    void theOtherPortStillSaysHttp() throws Exception {
        var client = HttpClient.newHttpClient();
        client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.proxyPort() + "/plain")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(backend.lastHeaders.get("x-forwarded-proto")).isEqualTo("http");
    }

    @Test
    void anUnknownNameWithoutDefaultFailsWithUnrecognizedName() throws Exception {
        Run r = sClient(dp.tlsPort(), "-servername", "nobody.test");
        assertThat(r.output()).contains("unrecognized name");
        Run noSni = sClient(dp.tlsPort(), "-noservername");
        assertThat(noSni.output()).contains("unrecognized name");
    }

    /** The JDK client sends no SNI for "localhost" (no dot): a proxy with a default certificate serves it. */
    @Test
    void jdkHttpClientSpeaksH2OverTlsAndAHandshakeWithoutSniGetsTheDefaultCertificate() throws Exception {
        Settings settings = Settings.forTest(cp.port(), dir.resolve("data-default"))
                .withTls(new TlsSettings(0, new DefaultCertificate("shop", null)));
        try (DataPlane withDefault = DataPlane.start(settings)) {
            await().until(() -> withDefault.appliedVersion() >= 2);
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                    .sslContext(TlsTestSupport.trusting(shop)).build();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                    URI.create("https://localhost:" + withDefault.tlsPort() + "/jdk")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(r.body()).isEqualTo("backend");
            assertThat(backend.lastHeaders.get("x-forwarded-proto")).isEqualTo("https");
        }
    }

    @Test
    void opensslShowsTheChainAndAlpnAndOnlyTls12And13AreSpoken() throws Exception {
        Run h2 = sClient(dp.tlsPort(), "-servername", "shop.test", "-alpn", "h2,http/1.1", "-showcerts");
        assertThat(h2.output()).contains("ALPN protocol: h2").contains("CN = shop.test").contains("BEGIN CERTIFICATE")
                .contains("TLSv1.3");
        Run h1 = sClient(dp.tlsPort(), "-servername", "shop.test", "-alpn", "http/1.1", "-tls1_2");
        assertThat(h1.output()).contains("ALPN protocol: http/1.1").contains("Protocol  : TLSv1.2");
        for (String old : new String[] {"-tls1", "-tls1_1"}) {
            // SECLEVEL=0 lets this client offer the old protocol: the refusal is the server's
            Run r = sClient(dp.tlsPort(), "-servername", "shop.test", old, "-cipher", "DEFAULT@SECLEVEL=0");
            assertThat(r.output()).as(old).contains("alert protocol version");
        }
    }

    @Test
    void anEcdsaAndAnRsaCertificateServeOneNameAndTheClientGetsTheOneItSupports() throws Exception {
        for (String tls : new String[] {"-tls1_3", "-tls1_2"}) {
            Run ec = sClient(dp.tlsPort(), "-servername", "dual.test", tls, "-sigalgs", "ECDSA+SHA256");
            assertThat(ec.output()).as(tls).contains("CN = dual.test").contains("Server public key is 256 bit");
            Run rsa = sClient(dp.tlsPort(), "-servername", "dual.test", tls, "-sigalgs", "RSA-PSS+SHA256:RSA+SHA256");
            assertThat(rsa.output()).as(tls).contains("CN = dual.test").contains("Server public key is 2048 bit");
        }
    }

    @Test
    void aBadCertificateIsQuarantinedNamedInTheAckAndTheRestOfTheSnapshotApplies() throws Exception {
        TestCert other = cert(dir, "other", "EC", "other.test");
        Certificate mismatched = other.proto("shop.test").toBuilder().setName("mismatched").clearSnis().addSnis("mismatched.test")
                .setPrivateKeyPem(cert(dir, "unrelated", "EC", "x.test").pem().privateKeyPem()).build();
        Certificate garbage = Certificate.newBuilder().setName("garbage").setCertChainPem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
                .setPrivateKeyPem(other.pem().privateKeyPem()).addSnis("garbage.test").build();
        // version 2's certificates, one new good one, and the two bad ones
        cp.push(snapshot(3, shop.proto("shop.test"), api.proto("api.test"), wild.proto("*.wild.test"),
                dualEc.proto("dual.test"), dualRsa.proto("dual.test"), other.proto("other.test"), mismatched, garbage));
        await().until(() -> cp.answered(3, true) || cp.answered(3, false));
        List<ResourceError> quarantined = cp.ack(3).getAck().getQuarantinedList();
        assertThat(quarantined).extracting(ResourceError::getName).containsOnly("mismatched", "garbage");
        assertThat(quarantined).extracting(ResourceError::getKind).containsOnly("certificate");
        assertThat(quarantined.toString()).doesNotContain("PRIVATE KEY").doesNotContain(body(other.pem().privateKeyPem()));
        assertThat(dp.appliedVersion()).isEqualTo(3);
        Run added = curl("other.test", dp.tlsPort(), "/new", other.certFile());
        assertThat(added.output()).as(added.output()).isEqualTo("backend\n2");
        Run still = curl("shop.test", dp.tlsPort(), "/still", shop.certFile());
        assertThat(still.output()).as(still.output()).isEqualTo("backend\n2");
        assertThat(sClient(dp.tlsPort(), "-servername", "garbage.test").output()).contains("unrecognized name");
    }

    /** A stretch of a PEM key's base64, to look for in text that must not hold it. */
    private static String body(String pem) {
        return pem.replaceAll("-----[A-Z ]+-----|\\s", "").substring(40, 80);
    }
}
