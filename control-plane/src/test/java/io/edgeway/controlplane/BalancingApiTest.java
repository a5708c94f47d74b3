package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeway.controlplane.Http.Response;
import io.edgeway.proto.v1.NodeMessage;
import io.edgeway.proto.v1.LbPolicy;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Status;
import io.edgeway.proto.v1.TargetHealth;
import io.edgeway.proto.v1.Upstream;
import io.edgeway.proto.v1.UpstreamProtocol;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** An upstream's policy, hash_on, slow_start, health_check and protocol: validated, stored, returned and pushed. */
class BalancingApiTest extends RunningControlPlane {
    private static final String UP = "/api/v1/upstreams";
    private static final String HEALTH = """
            {"active":{"path":"/health","expected_status":200,"interval":"1s","timeout":"500ms",\
            "healthy_threshold":2,"unhealthy_threshold":2},"passive":{"consecutive_failures":3,"ejection_time":"5s"}}""";

    static String upstream(String name, String extra) {
        return "{\"name\":\"" + name + "\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":9001}]" + extra + "}";
    }

    @Test
    void policyAndHealthAreStoredReturnedAndPushed() throws Exception {
        Response created = http.post(UP, upstream("sticky", ",\"policy\":\"consistent_hash\","
                + "\"hash_on\":{\"header\":\"X-User\"},\"slow_start\":\"30s\",\"health_check\":" + HEALTH));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        for (JsonNode u : new JsonNode[] {created.json(), http.get(UP + "/sticky").json()}) {
            assertThat(u.get("policy").asText()).isEqualTo("consistent_hash");
            assertThat(u.get("hash_on").toString()).isEqualTo("{\"header\":\"X-User\"}");
            assertThat(u.get("slow_start").asText()).isEqualTo("30s");
            assertThat(u.get("health_check")).isEqualTo(Http.JSON.readTree(HEALTH));
        }
        assertThat(http.post(UP, upstream("byip", ",\"policy\":\"consistent_hash\",\"hash_on\":\"client_ip\""))
                .json().get("hash_on").asText()).isEqualTo("client_ip");
        assertThat(http.post(UP, upstream("plain", "")).json().get("policy").asText()).isEqualTo("round_robin");
        // PATCH keeps what it does not mention.
        Response patched = http.patch(UP + "/sticky", "{\"hash_on\":{\"cookie\":\"session\"}}");
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        assertThat(patched.json().get("hash_on").toString()).isEqualTo("{\"cookie\":\"session\"}");
        assertThat(patched.json().get("health_check")).isEqualTo(Http.JSON.readTree(HEALTH));

        await().atMost(Duration.ofSeconds(20)).until(() -> cp.version() == db.revision());
        try (TestNode node = new TestNode(cp.grpcPort()).hello("node-lb", 0)) {
            Snapshot s = node.next();
            Upstream sticky = s.getUpstreamsList().stream().filter(u -> u.getName().equals("sticky")).findFirst()
                    .orElseThrow();
            assertThat(sticky.getPolicy()).isEqualTo(LbPolicy.CONSISTENT_HASH);
            assertThat(sticky.getHashOn().getCookie()).isEqualTo("session");
            assertThat(sticky.getSlowStartMs()).isEqualTo(30_000);
            var a = sticky.getHealthCheck().getActive();
            assertThat(a.getPath()).isEqualTo("/health");
            assertThat(a.getExpectedStatus()).isEqualTo(200);
            assertThat(a.getIntervalMs()).isEqualTo(1_000);
            assertThat(a.getTimeoutMs()).isEqualTo(500);
            assertThat(a.getHealthyThreshold()).isEqualTo(2);
            assertThat(a.getUnhealthyThreshold()).isEqualTo(2);
            assertThat(sticky.getHealthCheck().getPassive().getConsecutiveFailures()).isEqualTo(3);
            assertThat(sticky.getHealthCheck().getPassive().getEjectionTimeMs()).isEqualTo(5_000);
            Upstream byIp = s.getUpstreamsList().stream().filter(u -> u.getName().equals("byip")).findFirst()
                    .orElseThrow();
            assertThat(byIp.getHashOn().getClientIp()).isTrue();
            Upstream plain = s.getUpstreamsList().stream().filter(u -> u.getName().equals("plain")).findFirst()
                    .orElseThrow();
            assertThat(plain.getPolicy()).isEqualTo(LbPolicy.ROUND_ROBIN);
            assertThat(plain.hasHealthCheck()).isFalse();

            // The proxy reports target health on its stream; the API shows it per node.
            node.send(NodeMessage.newBuilder().setStatus(Status.newBuilder()
                    .addTargets(TargetHealth.newBuilder().setUpstream("sticky").setTarget("127.0.0.1:9001")
                            .setHealthy(false).setReason("active"))
                    .addTargets(TargetHealth.newBuilder().setUpstream("plain").setTarget("127.0.0.1:9001")
                            .setHealthy(true))).build());
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode h = http.get(UP + "/sticky/health").json();
                assertThat(h.get("upstream").asText()).isEqualTo("sticky");
                assertThat(h.get("nodes")).hasSize(1);
                JsonNode n = h.get("nodes").get(0);
                assertThat(n.get("node").asText()).isEqualTo("node-lb");
                assertThat(n.get("connected").asBoolean()).isTrue();
                assertThat(n.get("targets").toString())
                        .isEqualTo("[{\"target\":\"127.0.0.1:9001\",\"healthy\":false,\"reason\":\"active\"}]");
            });
        }
        assertThat(http.get(UP + "/byip/health").json().get("nodes")).isEmpty();
        assertThat(http.get(UP + "/nope/health").status()).isEqualTo(404);
    }

    @Test
    void protocolIsStoredReturnedPatchedAndPushed() throws Exception {
        Response created = http.post(UP, upstream("h2-app", ",\"protocol\":\"h2c\""));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("protocol").asText()).isEqualTo("h2c");
        assertThat(http.get(UP + "/h2-app").json().get("protocol").asText()).isEqualTo("h2c");
        assertThat(http.post(UP, upstream("h1-app", "")).json().get("protocol").asText()).isEqualTo("http1");
        // PATCH keeps it when not mentioned, and null resets it to the default.
        assertThat(http.patch(UP + "/h2-app", "{\"tags\":[\"x\"]}").json().get("protocol").asText()).isEqualTo("h2c");
        await().atMost(Duration.ofSeconds(20)).until(() -> cp.version() == db.revision());
        try (TestNode node = new TestNode(cp.grpcPort()).hello("node-h2", 0)) {
            Snapshot s = node.next();
            assertThat(s.getUpstreamsList()).filteredOn(u -> u.getName().equals("h2-app")).singleElement()
                    .extracting(Upstream::getProtocol).isEqualTo(UpstreamProtocol.H2C);
            assertThat(s.getUpstreamsList()).filteredOn(u -> u.getName().equals("h1-app")).singleElement()
                    .extracting(Upstream::getProtocol).isEqualTo(UpstreamProtocol.HTTP1);
        }
        assertThat(http.patch(UP + "/h2-app", "{\"protocol\":null}").json().get("protocol").asText()).isEqualTo("http1");
    }

    static Stream<Arguments> badInput() {
        return Stream.of(
                Arguments.of(",\"policy\":\"random\"", 422, "policy"),
                Arguments.of(",\"policy\":7", 400, "policy"),
                Arguments.of(",\"policy\":\"consistent_hash\"", 422, "hash_on"),
                Arguments.of(",\"policy\":\"consistent_hash\",\"hash_on\":\"server_ip\"", 422, "hash_on"),
                Arguments.of(",\"policy\":\"consistent_hash\",\"hash_on\":{}", 422, "hash_on"),
                Arguments.of(",\"policy\":\"consistent_hash\",\"hash_on\":{\"header\":\"a b\"}", 422, "hash_on.header"),
                Arguments.of(",\"policy\":\"consistent_hash\",\"hash_on\":{\"query\":\"u\"}", 400, "hash_on.query"),
                Arguments.of(",\"hash_on\":{\"header\":\"X-User\"}", 422, "hash_on"),
                Arguments.of(",\"slow_start\":\"soon\"", 422, "slow_start"),
                Arguments.of(",\"health_check\":{\"active\":{\"interval\":\"fast\"}}", 422, "health_check.active.interval"),
                Arguments.of(",\"health_check\":{\"active\":{\"expected_status\":700}}", 422, "health_check.active.expected_status"),
                Arguments.of(",\"health_check\":{\"active\":{\"path\":\"health\"}}", 422, "health_check.active.path"),
                Arguments.of(",\"health_check\":{\"active\":{\"healthy_threshold\":0}}", 422, "health_check.active.healthy_threshold"),
                Arguments.of(",\"health_check\":{\"active\":{\"method\":\"HEAD\"}}", 400, "health_check.active.method"),
                Arguments.of(",\"health_check\":{\"passive\":{\"consecutive_failures\":0}}", 422, "health_check.passive.consecutive_failures"),
                Arguments.of(",\"health_check\":{\"passive\":{\"ejection_time\":\"0s\"}}", 422, "health_check.passive.ejection_time"),
                Arguments.of(",\"health_check\":{\"passive\":\"on\"}", 400, "health_check.passive"),
                Arguments.of(",\"protocol\":\"h3\"", 422, "protocol"),
                Arguments.of(",\"protocol\":2", 400, "protocol"));
    }

    @ParameterizedTest
    @MethodSource("badInput")
    void badPolicyOrHealthInputNamesTheField(String extra, int status, String field) {
        long revision = db.revision();
        Response r = http.post(UP, upstream("bad", extra));
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.json().get("errors").findValuesAsText("field")).contains(field);
        assertThat(db.revision()).isEqualTo(revision);
    }
}
