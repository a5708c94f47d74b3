package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.dataplane.config.RuntimeConfig;
import io.edgeway.dataplane.tls.SelfSigned;
import io.edgeway.proto.v1.ActiveHealthCheck;
import io.edgeway.proto.v1.HealthCheck;
import io.edgeway.proto.v1.ResourceError;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import io.edgeway.proto.v1.UpstreamProtocol;
import io.edgeway.proto.v1.UpstreamTls;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstreams with {@code tls}: the proxy reaches an HTTPS target ({@link TlsBackend}, which also answers
 * plain HTTP on the same port and says which one it got) verified against the upstream's CA and SNI, with
 * ALPN by protocol; a failed verification is a 502 before any request byte leaves the proxy.
 */
class UpstreamTlsTest {
    @TempDir
    static Path dataDir;
    static TlsBackend backend;
    /** Same name, a certificate the upstreams' CA did not issue. */
    static TlsBackend impostor;
    /** gRPC over TLS only, with the backend's certificate. */
    static GrpcEchoServer grpcs;
    static TestControlPlane cp;
    static DataPlane dp;
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    static UpstreamTls.Builder tls(String sni, String ca) {
        return UpstreamTls.newBuilder().setSni(sni).setCaPem(ca);
    }

    static Upstream.Builder upstream(String name) {
        return Upstream.newBuilder().setName(name).addTargets(OneRouteProxy.loopback(backend.port()));
    }

    static Snapshot.Builder withRoutes(Snapshot.Builder s, Upstream.Builder... upstreams) {
        for (Upstream.Builder u : upstreams) {
            s.addUpstreams(u).addRoutes(Route.newBuilder().setName(u.getName()).addHosts(u.getName() + ".test")
                    .setUpstream(u.getName()));
        }
        return s;
    }

    @BeforeAll
    static void start() throws Exception {
        backend = new TlsBackend("api.test", "localhost");
        impostor = new TlsBackend("api.test");
        grpcs = new GrpcEchoServer(backend.cert);
        String ca = backend.cert.certChainPem();
        String otherCa = SelfSigned.create("EC", List.of("api.test"), Duration.ofDays(2)).certChainPem();
        cp = new TestControlPlane(0);
        dp = DataPlane.start(Settings.forTest(cp.port(), dataDir));
        initial = withRoutes(Snapshot.newBuilder().setVersion(2).setNonce("n2"),
                upstream("good").setTls(tls("api.test", ca)),
                upstream("wrongca").setTls(tls("api.test", otherCa)),
                upstream("wrongsni").setTls(tls("other.test", ca)),
                upstream("noverify").setTls(UpstreamTls.newBuilder().setSkipVerify(true)),
                upstream("h2").setProtocol(UpstreamProtocol.H2C).setTls(tls("api.test", ca)),
                upstream("plain"),
                Upstream.newBuilder().setName("byname").setTls(UpstreamTls.newBuilder().setCaPem(ca))
                        .addTargets(io.edgeway.proto.v1.Target.newBuilder().setHost("localhost")
                                .setPort(backend.port()).setWeight(1)),
                Upstream.newBuilder().setName("byname-wrong").setTls(UpstreamTls.newBuilder()
                                .setCaPem(impostor.cert.certChainPem()))
                        .addTargets(io.edgeway.proto.v1.Target.newBuilder().setHost("localhost")
                                .setPort(impostor.port()).setWeight(1)),
                upstream("h2plain").setProtocol(UpstreamProtocol.H2C),
                upstream("defaulttrust").setTls(UpstreamTls.newBuilder().setSni("api.test")),
                Upstream.newBuilder().setName("grpcs").setTls(tls("api.test", ca))
                        .addTargets(OneRouteProxy.loopback(grpcs.port())),
                Upstream.newBuilder().setName("failover").setTls(tls("api.test", ca))
                        .addTargets(OneRouteProxy.loopback(impostor.port()))
                        .addTargets(OneRouteProxy.loopback(backend.port())),
                upstream("probed").setTls(tls("api.test", ca)).setHealthCheck(HealthCheck.newBuilder()
                        .setActive(ActiveHealthCheck.newBuilder().setPath("/health").setIntervalMs(100)
                                .setTimeoutMs(2_000).setHealthyThreshold(1).setUnhealthyThreshold(1))))
                .build();
        cp.push(initial);
        await().until(() -> cp.answered(2, true));
    }

    static Snapshot initial; // version 2

    @AfterAll
    static void stop() throws Exception {
        OneRouteProxy.closeAll(dp, cp, backend, impostor, grpcs);
    }

    static HttpResponse<String> get(String host, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dp.proxyPort() + path))
                .header("Host", host).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void verifiedTlsReachesTheTargetWithTheSniAndAlpnHttp11() throws Exception {
        HttpResponse<String> r = get("good.test", "/hello?x=1");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("tls alpn=http/1.1 sni=api.test GET /hello?x=1");
    }

    @Test
    void aCertificateFromAnotherCaIs502AndNothingIsSentInClear() throws Exception {
        HttpResponse<String> r = get("wrongca.test", "/secret-wrongca");
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(backend.raw.toString()).doesNotContain("secret-wrongca");
        assertThat(backend.requests).noneMatch(l -> l.contains("secret-wrongca"));
    }

    @Test
    void aCertificateNotNamingTheSniIs502() throws Exception {
        HttpResponse<String> r = get("wrongsni.test", "/secret-wrongsni");
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(backend.raw.toString()).doesNotContain("secret-wrongsni");
        assertThat(backend.requests).noneMatch(l -> l.contains("secret-wrongsni"));
    }

    @Test
    void aFailedHandshakeIsAConnectFailureSoEvenAPostWithABodyGoesToTheNextTarget() throws Exception {
        for (int i = 0; i < 4; i++) { // round robin: half of these meet the impostor first
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + dp.proxyPort() + "/fo-" + i))
                    .header("Host", "failover.test").timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString("body-" + i)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("tls alpn=http/1.1 sni=api.test POST /fo-" + i);
        }
        assertThat(impostor.raw.toString()).doesNotContain("/fo-").doesNotContain("body-");
    }

    @Test
    void withoutACaTheDefaultTrustStoreDecidesAndDoesNotKnowASelfSignedTarget() throws Exception {
        HttpResponse<String> r = get("defaulttrust.test", "/secret-default");
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(backend.raw.toString()).doesNotContain("secret-default");
    }

    @Test
    void unchangedTlsSettingsKeepTheirCompiledContextsAcrossSnapshots() throws Exception {
        String ca = backend.cert.certChainPem();
        Snapshot v1 = withRoutes(Snapshot.newBuilder().setVersion(1), upstream("a").setTls(tls("api.test", ca))).build();
        RuntimeConfig first = RuntimeConfig.from(v1);
        RuntimeConfig same = RuntimeConfig.from(v1.toBuilder().setVersion(2).build(), first);
        assertThat(same.upstreams().get("a").tls()).isSameAs(first.upstreams().get("a").tls());
        RuntimeConfig changed = RuntimeConfig.from(withRoutes(Snapshot.newBuilder().setVersion(3),
                upstream("a").setTls(tls("other.test", ca))).build(), same);
        assertThat(changed.upstreams().get("a").tls()).isNotSameAs(same.upstreams().get("a").tls());
        assertThat(changed.upstreams().get("a").tls().identity().sni()).isEqualTo("other.test");
    }

    @Test
    void withoutSniTheCertificateMustNameTheTargetsHost() throws Exception {
        // Both targets are "localhost" and trusted by their CA; only the first certificate names localhost.
        // (A single-label name is not sent as SNI: TLS engines send dotted host names only, RFC 6066.)
        HttpResponse<String> r = get("byname.test", "/by-name");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("tls alpn=http/1.1 sni=none GET /by-name");
        assertThat(get("byname-wrong.test", "/secret-byname").statusCode()).isEqualTo(502);
        assertThat(impostor.raw.toString()).doesNotContain("secret-byname");
    }

    @Test
    void verifyFalseAcceptsTheSelfSignedTargetAndSendsNoSniForAnIp() throws Exception {
        HttpResponse<String> r = get("noverify.test", "/insecure");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("tls alpn=http/1.1 sni=none GET /insecure");
    }

    @Test
    void anH2cUpstreamWithTlsSpeaksH2OverTls() throws Exception {
        HttpResponse<String> r = get("h2.test", "/over-h2");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("tls alpn=h2 sni=api.test GET /over-h2");
    }

    @Test
    void grpcStreamsToATlsUpstreamAreHttp2OverTls() {
        // The target speaks gRPC over TLS only: an answer proves the proxy's stream went over TLS with ALPN h2.
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", dp.proxyPort()).overrideAuthority("grpcs.test")
                .usePlaintext().build();
        try {
            CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS);
            assertThat(ClientCalls.blockingUnaryCall(ch, GrpcEchoServer.UNARY, options, "over-tls")).isEqualTo("echo:over-tls");
        } finally {
            ch.shutdownNow();
        }
    }

    @Test
    void tlsAndPlaintextUpstreamsToOneAddressNeverShareAPooledConnection() throws Exception {
        // One client connection, so one proxy event loop and one pool: each answer names how it arrived.
        for (int i = 0; i < 3; i++) {
            assertThat(get("plain.test", "/p" + i).body()).isEqualTo("plain GET /p" + i);
            assertThat(get("good.test", "/t" + i).body()).isEqualTo("tls alpn=http/1.1 sni=api.test GET /t" + i);
        }
    }

    @Test
    void h2cAndH2OverTlsUpstreamsToOneAddressNeverShareAConnection() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(get("h2plain.test", "/p" + i).body()).isEqualTo("plain-h2 GET /p" + i);
            assertThat(get("h2.test", "/t" + i).body()).isEqualTo("tls alpn=h2 sni=api.test GET /t" + i);
        }
    }

    @Test
    void activeHealthChecksOfATlsUpstreamUseTls() {
        await().atMost(Duration.ofSeconds(20)).until(() -> backend.requests.contains(
                "tls alpn=http/1.1 sni=api.test GET /health"));
        assertThat(backend.requests).noneMatch(l -> l.startsWith("plain") && l.endsWith("/health"));
    }

    @Test
    void aCaBundleThatDoesNotParseQuarantinesTheUpstreamAndItsRouteNamedInTheAck() throws Exception {
        cp.push(withRoutes(initial.toBuilder().setVersion(3).setNonce("n3"),
                upstream("broken").setTls(tls("api.test", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")))
                .build());
        await().until(() -> cp.answered(3, true) || cp.answered(3, false));
        List<ResourceError> errors = cp.ack(3).getAck().getQuarantinedList();
        assertThat(errors).extracting(e -> e.getKind() + " " + e.getName() + " " + e.getField())
                .containsExactlyInAnyOrder("upstream broken tls.ca", "route broken upstream");
        assertThat(get("broken.test", "/x").statusCode()).isEqualTo(503);
        // everything else of version 3 (version 2's entities) serves
        assertThat(get("plain.test", "/still").body()).isEqualTo("plain GET /still");
    }
}
