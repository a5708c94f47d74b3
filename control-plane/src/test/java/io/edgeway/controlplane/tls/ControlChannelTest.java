package io.edgeway.controlplane.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeway.controlplane.ControlPlane;
import io.edgeway.controlplane.Http;
import io.edgeway.controlplane.TestDatabase;
import io.edgeway.dataplane.DataPlane;
import io.edgeway.dataplane.control.ControlPlaneAuth;
import io.edgeway.dataplane.control.Pems;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The control channel end to end on loopback: a real control plane with mTLS gRPC, real proxies (in-process
 * DataPlanes) and raw gRPC clients playing the attackers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ControlChannelTest {
    /** Short, so that the renewal test sees a renewal; every other test is indifferent to it. */
    private static final Duration CERT_LIFETIME = Duration.ofSeconds(6);

    private Path tmp;
    private TestDatabase db;
    private ControlPlane cp;
    private Http http;
    private X509Certificate ca;

    @BeforeAll
    void start() throws Exception {
        tmp = Files.createTempDirectory("control-channel-test");
        db = TestDatabase.create(getClass());
        startControlPlane(0);
        ca = Pems.certificates(Files.readString(tmp.resolve("cp/ca/ca.pem"))).get(0);
    }

    /** On {@code grpcPort} (0: any), with this class's data dir (so the same CA) and database. */
    private void startControlPlane(int grpcPort) throws Exception {
        io.edgeway.controlplane.Settings base = db.settings();
        cp = ControlPlane.start(new io.edgeway.controlplane.Settings(base.dbUrl(), base.dbUser(), base.dbPassword(),
                tmp.resolve("cp"), "127.0.0.1", 0, "127.0.0.1", grpcPort, base.adminToken(),
                GrpcSecurity.DEFAULTS.withNodeCertLifetime(CERT_LIFETIME), null), Map.of());
        http = new Http(cp.adminPort());
    }

    @AfterAll
    void stop() {
        cp.close();
    }

    private String joinToken(String name, String ttl) {
        Http.Response r = http.post("/api/v1/join-tokens", "{\"name\":\"" + name + "\",\"ttl\":\"" + ttl + "\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("token").asText();
    }

    private JsonNode node(String id) {
        for (JsonNode n : http.get("/api/v1/nodes").json().get("data")) {
            if (n.get("id").asText().equals(id)) {
                return n;
            }
        }
        return null;
    }

    private DataPlane proxy(String nodeId, String token) {
        return DataPlane.start(io.edgeway.dataplane.Settings.forTest(cp.grpcPort(), tmp.resolve(nodeId))
                .withNodeId(nodeId).withControlPlaneAuth(ControlPlaneAuth.joining(token)));
    }

    @Test
    void aProxyWithAJoinTokenJoinsOverMtlsKeepsItsKeyPrivateAndIsIdentifiedByItsCertificate() throws Exception {
        String token = joinToken("asg-main", "24h");
        try (DataPlane dp = proxy("edge-join", token)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> node("edge-join") != null && node("edge-join").get("connected").asBoolean());
            JsonNode n = node("edge-join");
            assertThat(n.get("identity").asText()).isEqualTo("certificate");
            assertThat(Instant.parse(n.get("certificate_expires_at").asText())).isAfter(Instant.now());
            Path key = tmp.resolve("edge-join/node-key.pem");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("edge-join/node-cert.pem"))))
                    .isEqualTo("rw-------");
        }
        // The list never shows a secret; the same token serves another proxy (an autoscaling group).
        assertThat(http.get("/api/v1/join-tokens").body()).contains("asg-main").doesNotContain(token.split("\\.")[2]);
        assertThat(Enroll.join(cp.grpcPort(), ca, token, "edge-join-2").certificate()).isNotNull();
    }

    @Test
    void aProxyWithoutAValidJoinTokenIsRefused() throws Exception {
        String token = joinToken("for-tampering", "24h");
        String[] p = token.split("\\.");
        String wrongSecret = p[0] + "." + p[1] + "." + "A".repeat(43) + "." + p[3];
        assertThatThrownBy(() -> Enroll.join(cp.grpcPort(), ca, wrongSecret, "edge-nojoin"))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        // No certificate at all: the stream is refused before a Hello is read.
        Status noCert = StreamProbe.hello(cp.grpcPort(), StreamProbe.tls(ca, null, null), "edge-nojoin");
        assertThat(noCert.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        // A deleted token stops working for new joins.
        assertThat(http.delete("/api/v1/join-tokens/for-tampering").status()).isEqualTo(204);
        assertThatThrownBy(() -> Enroll.join(cp.grpcPort(), ca, token, "edge-nojoin"))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        assertThat(node("edge-nojoin")).isNull();
    }

    @Test
    void aProxyNeverSendsItsTokenToAServerWhoseCaDoesNotMatchThePin() throws Exception {
        String token = joinToken("pinned", "1h");
        String[] p = token.split("\\.");
        String otherPin = Pems.caPin(CertificateAuthority.generate("impostor").certificate());
        var channel = io.edgeway.dataplane.control.ControlChannel.secure(tmp.resolve("pin-test"), "edge-pin",
                p[0] + "." + p[1] + "." + p[2] + "." + otherPin);
        assertThatThrownBy(() -> channel.join("127.0.0.1", cp.grpcPort()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        assertThat(channel.joined()).isFalse();
        assertThat(Files.exists(tmp.resolve("pin-test/node-cert.pem"))).isFalse();
    }

    @Test
    void joinRefusesMalformedCsrsAndNodeIds() throws Exception {
        String token = joinToken("attacks", "1h");
        var stub = io.edgeway.proto.v1.NodeEnrollmentGrpc.newBlockingStub(io.grpc.Grpc.newChannelBuilderForAddress("127.0.0.1",
                cp.grpcPort(), io.grpc.TlsChannelCredentials.newBuilder()
                        .trustManager(io.edgeway.dataplane.control.KeyMaterial.trustManagers(ca)).build()).build());
        var keyA = Pems.newEcKey();
        var keyB = Pems.newEcKey();
        byte[] good = new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder(
                new javax.security.auth.x500.X500Principal("CN=x"), keyA.getPublic())
                .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA").build(keyA.getPrivate())).getEncoded();
        // the CSR names key A but is signed by key B: no proof of possession
        byte[] forged = new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder(
                new javax.security.auth.x500.X500Principal("CN=x"), keyA.getPublic())
                .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA").build(keyB.getPrivate())).getEncoded();
        Map<String, Object[]> attacks = Map.of(
                "garbage", new Object[] {"edge-ok", new byte[] {0x30, 0x03, 1, 2, 3}},
                "empty", new Object[] {"edge-ok", new byte[0]},
                "huge", new Object[] {"edge-ok", new byte[64 * 1024]},
                "forged", new Object[] {"edge-ok", forged},
                "path in id", new Object[] {"../admin", good},
                "uri in id", new Object[] {"a/b?c", good},
                "empty id", new Object[] {"", good});
        attacks.forEach((what, a) -> assertThatThrownBy(() -> stub.join(io.edgeway.proto.v1.JoinRequest.newBuilder()
                .setToken(token).setNodeId((String) a[0]).setCsrDer(com.google.protobuf.ByteString.copyFrom((byte[]) a[1])).build()))
                .as(what)
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT)));
        assertThat(stub.join(io.edgeway.proto.v1.JoinRequest.newBuilder().setToken(token).setNodeId("edge-ok")
                .setCsrDer(com.google.protobuf.ByteString.copyFrom(good)).build()).getNodeId()).isEqualTo("edge-ok");
    }

    @Test
    void anExpiredJoinTokenIsRefused() throws Exception {
        String token = joinToken("short-lived", "1h");
        assertThat(Enroll.join(cp.grpcPort(), ca, token, "edge-before-expiry").certificate()).isNotNull();
        try (Connection c = DriverManager.getConnection(db.url(), "postgres", null); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE join_tokens SET expires_at = now() - interval '1 second' WHERE name = 'short-lived'");
        }
        assertThatThrownBy(() -> Enroll.join(cp.grpcPort(), ca, token, "edge-after-expiry"))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    }

    @Test
    void aClientCertificateFromAnotherCaIsRefused() throws Exception {
        CertificateAuthority other = CertificateAuthority.generate("not the control plane");
        var pair = Pems.newEcKey();
        X509Certificate forged = other.issueNode("edge-forged", pair.getPublic(), Duration.ofHours(1));
        Status s = StreamProbe.hello(cp.grpcPort(), StreamProbe.tls(ca, pair.getPrivate(), forged), "edge-forged");
        assertThat(s.getCode()).isIn(Status.Code.UNAVAILABLE, Status.Code.UNAUTHENTICATED);
        assertThat(node("edge-forged")).isNull();
    }

    @Test
    void aHelloClaimingAnotherNodeIdIsRefused() throws Exception {
        Enroll.Issued mine = Enroll.join(cp.grpcPort(), ca, joinToken("impersonation", "1h"), "edge-honest");
        Status s = StreamProbe.hello(cp.grpcPort(), StreamProbe.tls(ca, mine.key(), mine.certificate()), "edge-victim");
        assertThat(s.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(node("edge-victim")).isNull();
        // the same certificate with its own id is served
        assertThat(StreamProbe.hello(cp.grpcPort(), StreamProbe.tls(ca, mine.key(), mine.certificate()), "edge-honest").isOk()).isTrue();
    }

    @Test
    void aRevokedNodesStreamEndsAtOnceAndItsCertificateIsRefusedFromThenOn() throws Exception {
        String token = joinToken("to-revoke", "24h");
        try (DataPlane dp = proxy("edge-revoked", token)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> node("edge-revoked") != null && node("edge-revoked").get("connected").asBoolean());
            assertThat(http.delete("/api/v1/nodes/edge-revoked").status()).isEqualTo(204);
            await().atMost(Duration.ofSeconds(10)).until(() -> !node("edge-revoked").get("connected").asBoolean());
            // The proxy's own key and certificate, as it keeps them, no longer open a stream.
            var key = Pems.privateKey(Files.readString(tmp.resolve("edge-revoked/node-key.pem"), StandardCharsets.US_ASCII));
            var cert = Pems.certificates(Files.readString(tmp.resolve("edge-revoked/node-cert.pem"), StandardCharsets.US_ASCII)).get(0);
            Status s = StreamProbe.hello(cp.grpcPort(), StreamProbe.tls(ca, key, cert), "edge-revoked");
            assertThat(s.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(node("edge-revoked").get("connected").asBoolean()).isFalse();
        }
        assertThat(http.delete("/api/v1/nodes/never-seen").status()).isEqualTo(404);
    }

    @Test
    void aNodeNearExpiryRenewsItsCertificateWithoutDroppingItsStream() throws Exception {
        String token = joinToken("renewal", "24h");
        try (DataPlane dp = proxy("edge-renew", token)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> node("edge-renew") != null && node("edge-renew").get("connected").asBoolean());
            JsonNode first = node("edge-renew");
            Instant firstExpiry = Instant.parse(first.get("certificate_expires_at").asText());
            // Past the first certificate's expiry: it must have been replaced, on the same stream.
            await().atMost(Duration.ofSeconds(30)).until(() -> Instant.now().isAfter(firstExpiry.plusSeconds(1)));
            JsonNode later = node("edge-renew");
            assertThat(later.get("connected").asBoolean()).isTrue();
            assertThat(later.get("stream_id").asLong()).isEqualTo(first.get("stream_id").asLong());
            assertThat(later.get("certificate_serial").asText()).isNotEqualTo(first.get("certificate_serial").asText());
            assertThat(Instant.parse(later.get("certificate_expires_at").asText())).isAfter(Instant.now());
            // and what it stored is the renewed certificate, which opens a new stream
            var key = Pems.privateKey(Files.readString(tmp.resolve("edge-renew/node-key.pem"), StandardCharsets.US_ASCII));
            var cert = Pems.certificates(Files.readString(tmp.resolve("edge-renew/node-cert.pem"), StandardCharsets.US_ASCII)).get(0);
            assertThat(cert.getNotAfter().toInstant()).isAfter(firstExpiry);
            assertThat(StreamProbe.hello(cp.grpcPort(), StreamProbe.tls(ca, key, cert), "edge-renew").isOk()).isTrue();

            // The proxy's own channel uses the renewed certificate for its next handshake: with the first one long
            // expired, a reconnect (the control plane restarts on the same port) succeeds only with a renewed one.
            int port = cp.grpcPort();
            cp.close();
            startControlPlane(port);
            // The proxy's reconnect backoff reaches 10 s ±50 % while the control plane restarts; 30 s was short on a
            // loaded 2-core CI machine (failed once this session).
            await().atMost(Duration.ofSeconds(60)).until(() -> node("edge-renew") != null && node("edge-renew").get("connected").asBoolean());
            assertThat(Instant.parse(node("edge-renew").get("certificate_expires_at").asText())).isAfter(firstExpiry);
        }
    }
}
