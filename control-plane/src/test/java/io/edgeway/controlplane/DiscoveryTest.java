package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeway.proto.v1.NodeMessage;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The ConfigDiscovery stream with a real gRPC client on loopback. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DiscoveryTest {
    private TestDatabase db;
    private ControlPlane cp;
    private Http http;

    @BeforeAll
    void start() throws Exception {
        db = TestDatabase.create(getClass());
        cp = ControlPlane.start(db.settings());
        http = new Http(cp.adminPort());
        http.post("/api/v1/upstreams", "{\"name\":\"shop\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":9001,\"weight\":3}]}");
        http.post("/api/v1/routes", """
                {"name":"shop","hosts":["shop.example.com"],"paths":["/"],"methods":["GET"],"upstream":"shop",
                 "timeouts":{"connect":"1s","first_byte":"2s"}}""");
        awaitCacheCurrent();
    }

    /** Snapshots build asynchronously after a commit; tests that compare versions start from a settled cache. */
    private void awaitCacheCurrent() {
        await().atMost(Duration.ofSeconds(20)).until(() -> cp.version() == db.revision());
    }

    @AfterAll
    void stop() {
        cp.close();
    }

    @Test
    void helloGetsTheCurrentSnapshotAndAckShowsInTheLedger() throws Exception {
        awaitCacheCurrent();
        long revision = db.revision();
        try (TestNode node = new TestNode(cp.grpcPort()).hello("node-ack", 0)) {
            Snapshot s = node.next();
            assertThat(s.getVersion()).isEqualTo(revision);
            assertThat(s.getNonce()).isNotEmpty();
            assertThat(s.getUpstreamsList()).filteredOn(u -> u.getName().equals("shop")).singleElement().satisfies(u -> {
                assertThat(u.getTargets(0).getPort()).isEqualTo(9001);
                assertThat(u.getTargets(0).getWeight()).isEqualTo(3);
            });
            assertThat(s.getRoutesList()).singleElement().satisfies(r -> {
                assertThat(r.getHostsList()).containsExactly("shop.example.com");
                assertThat(r.getUpstream()).isEqualTo("shop");
                assertThat(r.getTimeouts().getConnectMs()).isEqualTo(1000);
                assertThat(r.getTimeouts().getFirstByteMs()).isEqualTo(2000);
                assertThat(r.getTimeouts().getIdleMs()).isZero();
            });

            node.ack(s);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode n = nodeView("node-ack");
                assertThat(n.get("applied_version").asLong()).isEqualTo(revision);
                assertThat(n.get("desired_version").asLong()).isEqualTo(revision);
                assertThat(n.get("connected").asBoolean()).isTrue();
                assertThat(n.get("rejected_version").isNull()).isTrue();
                assertThat(n.get("address").asText()).startsWith("127.0.0.1:");
                assertThat(n.get("labels").get("zone").asText()).isEqualTo("test");
            });
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> !nodeView("node-ack").get("connected").asBoolean());
    }

    @Test
    void aWritePushesANewSnapshotWithAFreshNonce() throws Exception {
        try (TestNode node = new TestNode(cp.grpcPort()).hello("node-push", 0)) {
            Snapshot first = node.next();
            node.ack(first);
            long written = http.post("/api/v1/upstreams", "{\"name\":\"pushed\"}").revisionNumber();
            Snapshot next = node.next();
            assertThat(next.getVersion()).isEqualTo(written);
            assertThat(next.getNonce()).isNotEqualTo(first.getNonce());
            assertThat(next.getUpstreamsList()).extracting(u -> u.getName()).contains("pushed");
        }
    }

    @Test
    void aNodeAlreadyAtTheCurrentVersionGetsNothingUntilTheNextWrite() throws Exception {
        awaitCacheCurrent();
        try (TestNode node = new TestNode(cp.grpcPort()).hello("node-current", db.revision())) {
            long written = http.post("/api/v1/upstreams", "{\"name\":\"current\"}").revisionNumber();
            // the first thing this stream receives is the new version, not the one it already had
            assertThat(node.next().getVersion()).isEqualTo(written);
        }
    }

    @Test
    void anAckWithQuarantinedEntitiesShowsInTheNodesApiUntilAVersionAppliesWhole() throws Exception {
        awaitCacheCurrent();
        try (TestNode node = new TestNode(cp.grpcPort()).hello("node-quarantine", 0)) {
            Snapshot s = node.next();
            node.send(NodeMessage.newBuilder().setAck(io.edgeway.proto.v1.Ack.newBuilder().setVersion(s.getVersion())
                    .setNonce(s.getNonce()).addQuarantined(io.edgeway.proto.v1.ResourceError.newBuilder()
                            .setKind("certificate").setName("shop-cert").setField("private_key_pem")
                            .setMessage("does not match the certificate"))).build());
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode n = nodeView("node-quarantine");
                assertThat(n.get("applied_version").asLong()).isEqualTo(s.getVersion()); // applied, not rejected
                assertThat(n.get("rejected_version").isNull()).isTrue();
                assertThat(n.get("quarantined")).hasSize(1);
                JsonNode q = n.get("quarantined").get(0);
                assertThat(q.get("kind").asText() + " " + q.get("name").asText() + " " + q.get("field").asText() + ": "
                        + q.get("message").asText())
                        .isEqualTo("certificate shop-cert private_key_pem: does not match the certificate");
            });
            long written = http.post("/api/v1/upstreams", "{\"name\":\"after-quarantine\"}").revisionNumber();
            Snapshot next = node.next();
            assertThat(next.getVersion()).isEqualTo(written);
            node.ack(next); // the next version applied whole: nothing quarantined any more
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode n = nodeView("node-quarantine");
                assertThat(n.get("applied_version").asLong()).isEqualTo(written);
                assertThat(n.get("quarantined")).isEmpty();
            });
        }
    }

    @Test
    void aNackedVersionIsRecordedAndNeverSentAgain() throws Exception {
        awaitCacheCurrent();
        Snapshot rejected;
        try (TestNode node = new TestNode(cp.grpcPort()).hello("node-nack", 0)) {
            rejected = node.next();
            node.nack(rejected, "bad host");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode n = nodeView("node-nack");
                assertThat(n.get("rejected_version").asLong()).isEqualTo(rejected.getVersion());
                assertThat(n.get("last_error").asText()).isEqualTo("route shop hosts: bad host");
                assertThat(n.get("applied_version").asLong()).isZero();
            });
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> !nodeView("node-nack").get("connected").asBoolean());
        // Reconnect still holding nothing: the rejected version is not offered again; the next one is.
        try (TestNode again = new TestNode(cp.grpcPort()).hello("node-nack", 0)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> nodeView("node-nack").get("connected").asBoolean());
            long written = http.post("/api/v1/upstreams", "{\"name\":\"after-nack\"}").revisionNumber();
            assertThat(written).isGreaterThan(rejected.getVersion());
            Snapshot s = again.next();
            assertThat(s.getVersion()).isEqualTo(written);
            again.ack(s);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(nodeView("node-nack").get("applied_version").asLong()).isEqualTo(written));
        }
    }

    @Test
    void theFirstMessageMustBeHello() throws Exception {
        try (TestNode node = new TestNode(cp.grpcPort())) {
            node.send(NodeMessage.newBuilder().setStatus(Status.newBuilder().setDraining(false)).build());
            await().atMost(Duration.ofSeconds(20)).until(() -> node.error.get() != null);
            assertThat(node.error.get()).isInstanceOfSatisfying(StatusRuntimeException.class, e ->
                    assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT));
            assertThat(node.snapshots).isEmpty();
        }
    }

    private JsonNode nodeView(String id) {
        for (JsonNode n : http.get("/api/v1/nodes").json().get("data")) {
            if (n.get("id").asText().equals(id)) {
                return n;
            }
        }
        throw new AssertionError("node " + id + " not in the ledger");
    }
}
