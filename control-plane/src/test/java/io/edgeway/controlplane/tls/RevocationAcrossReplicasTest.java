package io.edgeway.controlplane.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeway.controlplane.ControlPlane;
import io.edgeway.controlplane.Http;
import io.edgeway.controlplane.Settings;
import io.edgeway.controlplane.TestDatabase;
import io.edgeway.dataplane.DataPlane;
import io.edgeway.dataplane.control.ControlPlaneAuth;
import io.edgeway.dataplane.control.Pems;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two control-plane replicas on one PostgreSQL (and one CA), a proxy joined to the second: revoking the node
 * through the first ends its stream on the second. The second replica's revocation poll is an hour, so only
 * the NOTIFY the revocation sends can end the stream within the test's bound.
 */
class RevocationAcrossReplicasTest {
    private static final Duration POLL = Duration.ofHours(1);

    @TempDir
    Path tmp;

    @Test
    void revokingANodeOnOneReplicaEndsItsStreamOnAnother() throws Exception {
        TestDatabase db = TestDatabase.create(getClass());
        try (ControlPlane one = start(db, Map.of());
             ControlPlane two = start(db, Map.of("EDGEWAY_REVOCATION_POLL", POLL.toHours() + "h"))) {
            Http viaOne = new Http(one.adminPort());
            Http viaTwo = new Http(two.adminPort());
            Http.Response token = viaOne.post("/api/v1/join-tokens", "{\"name\":\"fleet\",\"ttl\":\"1h\"}");
            assertThat(token.status()).as(token.body()).isEqualTo(201);
            try (DataPlane proxy = DataPlane.start(io.edgeway.dataplane.Settings.forTest(two.grpcPort(), tmp.resolve("edge"))
                    .withNodeId("edge-1").withControlPlaneAuth(ControlPlaneAuth.joining(token.json().get("token").asText())))) {
                await().atMost(Duration.ofSeconds(30)).until(() -> connected(viaTwo, "edge-1"));
                assertThat(node(viaOne, "edge-1")).as("the proxy talks to replica two only").isNull();

                assertThat(viaOne.delete("/api/v1/nodes/edge-1").status()).isEqualTo(204);
                await().atMost(Duration.ofSeconds(20)).until(() -> !connected(viaTwo, "edge-1"));

                // And replica two refuses the revoked certificate from then on.
                var ca = Pems.certificates(Files.readString(tmp.resolve("cp/ca/ca.pem"))).get(0);
                var key = Pems.privateKey(Files.readString(tmp.resolve("edge/node-key.pem"), StandardCharsets.US_ASCII));
                var cert = Pems.certificates(Files.readString(tmp.resolve("edge/node-cert.pem"), StandardCharsets.US_ASCII)).get(0);
                Status s = StreamProbe.hello(two.grpcPort(), StreamProbe.tls(ca, key, cert), "edge-1");
                assertThat(s.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            }
        }
    }

    /** A replica with the shared data directory (so the same CA: the first one to start makes it). */
    private ControlPlane start(TestDatabase db, Map<String, String> env) throws Exception {
        Settings base = db.settings();
        return ControlPlane.start(new Settings(base.dbUrl(), base.dbUser(), base.dbPassword(), tmp.resolve("cp"),
                "127.0.0.1", 0, "127.0.0.1", 0, base.adminToken(), GrpcSecurity.DEFAULTS, null), env);
    }

    private static boolean connected(Http http, String id) {
        JsonNode n = node(http, id);
        return n != null && n.get("connected").asBoolean();
    }

    private static JsonNode node(Http http, String id) {
        for (JsonNode n : http.get("/api/v1/nodes").json().get("data")) {
            if (n.get("id").asText().equals(id)) {
                return n;
            }
        }
        return null;
    }
}
